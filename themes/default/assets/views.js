// Beacon-mode view counting: tells the server once that this article was read. Pages that a browser only
// prerenders wait until the reader actually opens them; prefetches never run this script at all.
(function () {
  var script = document.currentScript;
  var url = script && script.getAttribute("data-url");
  if (!url || !navigator.sendBeacon) return;
  var send = function () { navigator.sendBeacon(url); };
  if (document.prerendering) {
    document.addEventListener("prerenderingchange", send, { once: true });
  } else {
    send();
  }
})();
