/* Injected by mamori's cookie scanner before any page script runs: reports every cookie written
   through document.cookie with the script stack that wrote it, so each cookie names its setter.
   The cookie value is never reported, only its name. */
(function () {
  "use strict";
  if (window.__mamoriScanHooked) return;
  window.__mamoriScanHooked = true;
  var desc = Object.getOwnPropertyDescriptor(Document.prototype, "cookie");
  if (!desc || !desc.set) return;
  Object.defineProperty(Document.prototype, "cookie", {
    configurable: true,
    enumerable: desc.enumerable,
    get: function () { return desc.get.call(this); },
    set: function (value) {
      try {
        var text = String(value), name = text.split(";")[0].split("=")[0].trim();
        var gone = /max-age=\s*-?0\b|expires=[^;]*1970/i.test(text);
        var stack = (new Error().stack || "").split("\n").slice(2).join("\n");
        if (!gone && typeof window.__mamoriScanCookie === "function") window.__mamoriScanCookie(name, stack);
      } catch (e) { /* the page's own write must still happen */ }
      desc.set.call(this, value);
    }
  });
})();
