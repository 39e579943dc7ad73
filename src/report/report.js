document.documentElement.classList.add('js');
document.querySelectorAll('[data-act]').forEach(function (b) {
  b.addEventListener('click', function () {
    var act = b.getAttribute('data-act');
    if (act === 'failing') {
      var on = b.getAttribute('aria-pressed') !== 'true';
      b.setAttribute('aria-pressed', on ? 'true' : 'false');
      document.body.classList.toggle('only-failing', on);
      return;
    }
    document.querySelectorAll('details.code, details.rows').forEach(function (d) {
      d.open = act === 'open';
    });
  });
});
window.addEventListener('beforeprint', function () {
  document.querySelectorAll('details.msg').forEach(function (d) { d.open = true; });
});
