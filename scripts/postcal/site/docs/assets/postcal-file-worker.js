// Search on a site opened from the disk (file://). Material runs its search in a Web Worker,
// and a browser refuses to start a worker from a file: URL; Material's offline plugin would
// fetch a polyfill from a CDN for that, and this site makes no request elsewhere. So, on
// file:// only, `Worker` becomes a hidden frame of the page that runs the same worker script:
// messages go in as "message" events on the frame's window, and the script's postMessage()
// comes back out as "message" events on this object. Both ways are asynchronous, as with a
// real worker. Over http(s) nothing changes.
(function () {
  "use strict";
  if (window.location.protocol !== "file:" || typeof window.Worker === "undefined") {
    return;
  }

  function later(callback) {
    window.setTimeout(callback, 0);
  }

  function FrameWorker(url) {
    var worker = this;
    var listeners = { message: [], error: [] };
    var waiting = [];
    var running = false;
    var source = new URL(String(url), document.baseURI).href;
    var frame = document.createElement("iframe");
    frame.hidden = true;
    frame.tabIndex = -1;
    frame.setAttribute("aria-hidden", "true");
    frame.title = "search";
    (document.body || document.documentElement).appendChild(frame);
    var inner = frame.contentWindow;
    var doc = frame.contentDocument;

    function emit(type, event) {
      var handler = worker["on" + type];
      if (typeof handler === "function") { handler.call(worker, event); }
      listeners[type].slice().forEach(function (listener) { listener.call(worker, event); });
    }

    function deliver(data) {
      later(function () {
        inner.dispatchEvent(new inner.MessageEvent("message", { data: data }));
      });
    }

    function load(src) {
      return new Promise(function (resolve, reject) {
        var script = doc.createElement("script");
        script.src = new URL(String(src), source).href;
        script.onload = function () { resolve(); };
        script.onerror = function () { reject(new Error("cannot load " + script.src)); };
        doc.head.appendChild(script);
      });
    }

    this.onmessage = null;
    this.onerror = null;
    this.addEventListener = function (type, listener) {
      if (listeners[type] && typeof listener === "function") { listeners[type].push(listener); }
    };
    this.removeEventListener = function (type, listener) {
      if (listeners[type]) {
        listeners[type] = listeners[type].filter(function (l) { return l !== listener; });
      }
    };
    this.postMessage = function (data) {
      if (running) { deliver(data); } else { waiting.push(data); }
    };
    this.terminate = function () {
      running = false;
      waiting = [];
      if (frame.parentNode) { frame.parentNode.removeChild(frame); }
    };

    // What the worker script finds in its global scope.
    inner.postMessage = function (data) {
      later(function () { emit("message", new MessageEvent("message", { data: data })); });
    };
    inner.importScripts = function () {
      var sources = Array.prototype.slice.call(arguments);
      return sources.reduce(function (done, src) {
        return done.then(function () { return load(src); });
      }, Promise.resolve());
    };

    load(source).then(function () {
      running = true;
      waiting.splice(0).forEach(deliver);
    }, function (error) {
      later(function () { emit("error", new ErrorEvent("error", { message: error.message })); });
    });
  }

  window.Worker = FrameWorker;
})();
