// IMEI fields: camera scanning of Code 128 barcodes, the IMEI check (15 digits, Luhn),
// and the search-as-you-type stock picker. Strings come from the page (#scan-strings),
// translated by Django. Decoding uses the browser's BarcodeDetector where it reads
// Code 128, else the vendored ZXing library (loaded only then).
(function () {
  "use strict";

  var stringsEl = document.getElementById("scan-strings");
  var T = stringsEl ? JSON.parse(stringsEl.textContent) : {};
  var ZXING_URL = T.zxing;

  function fmt(s, n) { return String(s).replace("%s", n); }

  function isValidImei(value) {
    if (!/^\d{15}$/.test(value)) return false;
    var sum = 0;
    for (var i = 0; i < 15; i++) {
      var d = +value[14 - i];
      if (i % 2 === 1) { d *= 2; if (d > 9) d -= 9; }
      sum += d;
    }
    return sum % 10 === 0;
  }

  // --- decoders -----------------------------------------------------------------------

  var zxingLoading = null;
  function loadZxing() {
    if (window.ZXing) return Promise.resolve(window.ZXing);
    if (!zxingLoading) {
      zxingLoading = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = ZXING_URL;
        s.onload = function () { resolve(window.ZXing); };
        s.onerror = reject;
        document.head.appendChild(s);
      });
    }
    return zxingLoading;
  }

  function nativeDetector() {
    if (!("BarcodeDetector" in window)) return Promise.resolve(null);
    return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf("code_128") < 0) return null;
      var detector = new window.BarcodeDetector({ formats: ["code_128"] });
      return function (video) {
        return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
      };
    }).catch(function () { return null; });
  }

  function zxingDetector() {
    return loadZxing().then(function (ZXing) {
      var reader = new ZXing.MultiFormatReader();
      var hints = new Map();
      hints.set(ZXing.DecodeHintType.POSSIBLE_FORMATS, [ZXing.BarcodeFormat.CODE_128]);
      hints.set(ZXing.DecodeHintType.TRY_HARDER, true);
      reader.setHints(hints);
      var canvas = document.createElement("canvas");
      return function (video) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        canvas.getContext("2d", { willReadFrequently: true }).drawImage(video, 0, 0);
        try {
          var bitmap = new ZXing.BinaryBitmap(new ZXing.HybridBinarizer(
            new ZXing.HTMLCanvasElementLuminanceSource(canvas)));
          return Promise.resolve(reader.decode(bitmap).getText());
        } catch (e) {
          return Promise.resolve(null);  // no barcode in this frame
        }
      };
    });
  }

  function detector() {
    return nativeDetector().then(function (d) { return d || zxingDetector(); });
  }

  // --- the camera overlay -------------------------------------------------------------

  // Opens the camera; calls onCode(text) for each decoded barcode. onCode returns true
  // to close the camera (one IMEI), false to keep scanning (a list).
  function openScanner(onCode) {
    var overlay = document.createElement("div");
    overlay.className = "scanner";
    overlay.setAttribute("role", "dialog");
    overlay.innerHTML = '<video playsinline muted></video><p class="scanner-status"></p>' +
      '<button type="button" class="primary">' + T.close + "</button>";
    document.body.appendChild(overlay);
    var video = overlay.querySelector("video");
    var status = overlay.querySelector(".scanner-status");
    var stream = null;
    var open = true;
    var last = "";
    status.textContent = T.aim;

    function close() {
      open = false;
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      overlay.remove();
    }
    overlay.querySelector("button").addEventListener("click", close);

    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      status.textContent = T.no_camera;
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s;
        if (!open) { close(); return null; }
        video.srcObject = s;
        return video.play().then(detector);
      })
      .then(function (decode) {
        if (!decode) return;
        (function tick() {
          if (!open) return;
          var attempt = video.readyState >= 2 ? decode(video) : Promise.resolve(null);
          attempt.then(function (text) {
            if (text && text !== last) {
              last = text;
              status.textContent = onCode(text, status) ? "" : status.textContent;
              if (!open) return;
            }
            window.setTimeout(tick, 150);
          }, function () { window.setTimeout(tick, 300); });
        })();
      })
      .catch(function () { status.textContent = T.no_camera; });

    // onCode may close the overlay itself
    return { close: close, isOpen: function () { return open; } };
  }

  // --- fields -------------------------------------------------------------------------

  function acknowledge(ack, ok, text) {
    ack.className = "scan-ack " + (ok ? "ok" : "err");
    ack.textContent = text;
    if (ok && navigator.vibrate) navigator.vibrate(80);
  }

  // One scanned code into a field: the single IMEI of an <input>, or a new line of a
  // <textarea> list (a code already in the list is not added twice).
  function putCode(field, ack, raw) {
    var code = String(raw).replace(/\s+/g, "");
    if (!isValidImei(code)) {
      acknowledge(ack, false, fmt(T.invalid, code));
      return false;
    }
    if (field.tagName === "TEXTAREA") {
      var lines = field.value.split(/\n/).map(function (l) { return l.trim().split(/\s+/)[0]; });
      if (lines.indexOf(code) >= 0) {
        acknowledge(ack, true, fmt(T.already, code));
        return true;
      }
      var text = field.value.replace(/\s*$/, "");
      field.value = (text ? text + "\n" : "") + code + (field.dataset.scan === "reason" ? " " : "");
    } else {
      field.value = code;
    }
    field.dispatchEvent(new Event("input", { bubbles: true }));
    acknowledge(ack, true, fmt(T.scanned, code));
    return true;
  }

  function attach(field) {
    var row = document.createElement("div");
    row.className = "scan-row";
    field.parentNode.insertBefore(row, field);
    row.appendChild(field);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "scan-button";
    button.textContent = T.scan;
    row.appendChild(button);
    var ack = document.createElement("p");
    ack.className = "scan-ack";
    ack.setAttribute("role", "status");
    row.parentNode.insertBefore(ack, row.nextSibling);
    field.phocapAck = ack;

    button.addEventListener("click", function () {
      var multi = field.tagName === "TEXTAREA";
      var scanner = openScanner(function (text, status) {
        var ok = putCode(field, ack, text);
        status.textContent = ack.textContent;
        if (ok && !multi) { scanner.close(); field.focus(); return true; }
        return false;
      });
    });

    // Typing stays possible: a typed IMEI is checked as soon as it has 15 digits.
    if (field.tagName === "INPUT") {
      field.addEventListener("input", function () {
        var v = field.value.replace(/\s+/g, "");
        if (v.length >= 15) {
          if (isValidImei(v)) acknowledge(ack, true, fmt(T.valid, v));
          else acknowledge(ack, false, fmt(T.invalid, v));
        } else if (ack.classList.contains("err")) {
          ack.textContent = "";
          ack.className = "scan-ack";
        }
      });
    }
  }

  // The stock picker: a <ul class="stock-picker" data-for="id"> under an IMEI input lists
  // the phones of the stock (from #stock-data, or set later with setStock) matching the
  // digits typed; a tap picks one.
  function picker(list, field, getStock) {
    function render() {
      var q = field.value.replace(/\D/g, "");
      list.innerHTML = "";
      if (q.length < 2 || isValidImei(q) && getStock().some(function (d) { return d.imei === q; })) return;
      var shown = 0;
      getStock().some(function (d) {
        if (d.imei.indexOf(q) < 0) return false;
        var li = document.createElement("li");
        var b = document.createElement("button");
        b.type = "button";
        b.textContent = d.imei + (d.model ? " · " + d.model : "");
        b.addEventListener("click", function () {
          field.value = d.imei;
          field.dispatchEvent(new Event("input", { bubbles: true }));
          list.innerHTML = "";
        });
        li.appendChild(b);
        list.appendChild(li);
        shown += 1;
        return shown >= 8;
      });
      if (!shown) {
        var li = document.createElement("li");
        li.className = "muted";
        li.textContent = T.not_in_stock;
        list.appendChild(li);
      }
    }
    field.addEventListener("input", render);
    return render;
  }

  window.phocapImei = { isValid: isValidImei, openScanner: openScanner, putCode: putCode, picker: picker,
                        attach: attach };

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-scan]").forEach(attach);
    var data = document.getElementById("stock-data");
    var stock = data ? JSON.parse(data.textContent) : [];
    document.querySelectorAll("ul.stock-picker[data-for]").forEach(function (list) {
      var field = document.getElementById(list.dataset.for);
      if (field) picker(list, field, function () { return stock; });
    });
  });
})();
