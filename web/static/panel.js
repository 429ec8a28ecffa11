// Miaopu panel: the small amount of script the pages need, loaded from our own origin
// (the Content-Security-Policy allows nothing else). Charts: <div data-chart='{ECharts option}'>.
(function () {
  'use strict';
  var loading = null;
  function loadECharts() {
    if (window.echarts) return Promise.resolve(window.echarts);
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var s = document.createElement('script');
        s.src = '/static/echarts.min.js';
        s.onload = function () { resolve(window.echarts); };
        s.onerror = reject;
        document.head.appendChild(s);
      });
    }
    return loading;
  }
  function drawCharts(root) {
    var nodes = (root || document).querySelectorAll('[data-chart]:not([data-drawn])');
    if (!nodes.length) return;
    loadECharts().then(function (echarts) {
      nodes.forEach(function (el) {
        el.setAttribute('data-drawn', '1');
        var chart = echarts.init(el, null, { renderer: 'svg' });
        chart.setOption(JSON.parse(el.getAttribute('data-chart')));
        el.classList.add('drawn');
        window.addEventListener('resize', function () { chart.resize(); });
      });
    });
  }
  // Buttons that ask before acting: <button data-confirm="…">.
  document.addEventListener('click', function (e) {
    var el = e.target.closest && e.target.closest('[data-confirm]');
    if (el && !window.confirm(el.getAttribute('data-confirm'))) { e.preventDefault(); e.stopImmediatePropagation(); }
  }, true);
  // Print buttons: <button data-print>.
  document.addEventListener('click', function (e) {
    if (e.target.closest && e.target.closest('[data-print]')) window.print();
  });
  document.addEventListener('DOMContentLoaded', function () { drawCharts(document); });
  document.addEventListener('htmx:after:swap', function () { drawCharts(document); });
})();
