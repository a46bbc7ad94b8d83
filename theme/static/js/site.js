// Alignment Concepts: math typesetting, sidenote toggles on narrow screens, citation hover cards.
(function () {
  'use strict';
  function typeset() {
    if (!window.katex) return;
    document.querySelectorAll('.math').forEach(function (el) {
      var tex = el.textContent.trim();
      var display = el.classList.contains('display');
      tex = tex.replace(/^\\\(|\\\)$/g, '').replace(/^\\\[|\\\]$/g, '');
      try { window.katex.render(tex, el, { displayMode: display, throwOnError: false, output: 'htmlAndMathml' }); }
      catch (e) { el.classList.add('math-error'); }
    });
  }
  function sidenotes() {
    document.querySelectorAll('a.footnote-ref').forEach(function (a) {
      var sup = a.parentElement;
      var note = sup && sup.nextElementSibling;
      if (!note || !note.classList.contains('sidenote')) return;
      a.setAttribute('aria-expanded', 'false');
      a.addEventListener('click', function (ev) {
        if (window.matchMedia('(min-width: 1100px)').matches) { ev.preventDefault(); return; }
        ev.preventDefault();
        var open = note.classList.toggle('open');
        a.setAttribute('aria-expanded', open ? 'true' : 'false');
      });
    });
  }
  var card = null, owner = null, hideTimer = null;
  function hide() { if (card) { card.remove(); card = null; owner = null; } }
  function show(a) {
    var ref = document.getElementById((a.getAttribute('href') || '').slice(1));
    if (!ref) return;
    if (owner === a) return;
    hide();
    card = document.createElement('div');
    card.className = 'cite-card';
    card.setAttribute('role', 'tooltip');
    card.id = 'cite-card';
    card.innerHTML = ref.innerHTML;
    card.addEventListener('mouseenter', function () { clearTimeout(hideTimer); });
    card.addEventListener('mouseleave', function () { hideTimer = setTimeout(hide, 200); });
    document.body.appendChild(card);
    var r = a.getBoundingClientRect();
    var left = Math.min(window.scrollX + r.left, window.scrollX + document.documentElement.clientWidth - card.offsetWidth - 8);
    card.style.left = Math.max(8, left) + 'px';
    card.style.top = (window.scrollY + r.bottom + 6) + 'px';
    a.setAttribute('aria-describedby', 'cite-card');
    owner = a;
  }
  function cites() {
    document.querySelectorAll('a.cite').forEach(function (a) {
      a.addEventListener('mouseenter', function () { clearTimeout(hideTimer); show(a); });
      a.addEventListener('mouseleave', function () { hideTimer = setTimeout(hide, 250); });
      a.addEventListener('focus', function () { show(a); });
      a.addEventListener('blur', function () { hideTimer = setTimeout(hide, 150); });
      a.addEventListener('touchend', function (ev) { if (owner !== a) { ev.preventDefault(); show(a); } });
    });
    document.addEventListener('keydown', function (ev) { if (ev.key === 'Escape') hide(); });
    document.addEventListener('touchstart', function (ev) { if (card && !card.contains(ev.target) && !(ev.target.closest && ev.target.closest('a.cite'))) hide(); });
  }
  function init() { typeset(); sidenotes(); cites(); }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init); else init();
})();
