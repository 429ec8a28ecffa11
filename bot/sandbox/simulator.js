// Reloads the conversation every 1.5 s while nobody is using a card, so replies appear by themselves.
(function () {
  var box = document.getElementById('messages');
  if (!box) return;
  box.scrollTop = box.scrollHeight;
  setInterval(function () {
    var active = document.activeElement;
    if (active && active.closest && active.closest('.card')) return;
    fetch(box.dataset.src, { headers: { accept: 'text/html' } })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        if (html === box.dataset.last) return;
        var atEnd = box.scrollTop + box.clientHeight >= box.scrollHeight - 20;
        box.innerHTML = html;
        box.dataset.last = html;
        if (atEnd) box.scrollTop = box.scrollHeight;
      });
  }, 1500);
})();
