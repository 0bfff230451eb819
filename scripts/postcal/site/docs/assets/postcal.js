// Filters for the calendar views: channel, campaign and persona. No dependencies, no network.
// Without JavaScript every post stays visible and the filter form stays hidden.
//
// The chosen filters live in the query string (?channel=…&persona=…), so a filtered view can
// be bookmarked or shared, and they travel with the links marked data-pc-carry (previous and
// next month or week, the other views). URLSearchParams does the encoding; a value is only
// ever one of the form's own options.
(function () {
  "use strict";
  var NAMES = ["channel", "campaign", "persona"];

  function chosen(form) {
    var params = new URLSearchParams();
    NAMES.forEach(function (name) {
      var value = form.elements[name] ? form.elements[name].value : "";
      if (value) { params.set(name, value); }
    });
    return params;
  }

  function withQuery(href, params) {
    // href as the page wrote it, relative; its own query is replaced, its #fragment kept.
    var hash = "";
    var at = href.indexOf("#");
    if (at >= 0) { hash = href.slice(at); href = href.slice(0, at); }
    at = href.indexOf("?");
    if (at >= 0) { href = href.slice(0, at); }
    var query = params.toString();
    return href + (query ? "?" + query : "") + hash;
  }

  function counted(chip) {
    // In the month grid, the greyed days of the months around are shown, not counted.
    return !chip.closest(".pc-out");
  }

  function describe(shown, total) {
    var noun = total === 1 ? " post" : " posts";
    return shown === total ? total + noun : shown + " of " + total + noun;
  }

  function apply(form) {
    var params = chosen(form);
    var channel = params.get("channel");
    var campaign = params.get("campaign");
    var persona = params.get("persona");
    var shown = 0;
    var total = 0;
    document.querySelectorAll(".pc-chip").forEach(function (chip) {
      var ok = (!channel || chip.dataset.channels.split(" ").indexOf(channel) >= 0) &&
        (!campaign || chip.dataset.campaign === campaign) &&
        (!persona || chip.dataset.personas.split(" ").indexOf(persona) >= 0);
      chip.hidden = !ok;
      if (counted(chip)) {
        total += 1;
        if (ok) { shown += 1; }
      }
    });
    document.querySelectorAll(".pc-filter-count").forEach(function (output) {
      output.textContent = describe(shown, total);
    });
    document.querySelectorAll("a[data-pc-carry]").forEach(function (link) {
      if (!link.hasAttribute("data-pc-href")) {
        link.setAttribute("data-pc-href", link.getAttribute("href"));
      }
      link.setAttribute("href", withQuery(link.getAttribute("data-pc-href"), params));
    });
    var own = new URLSearchParams(window.location.search);
    NAMES.forEach(function (name) {
      if (params.has(name)) { own.set(name, params.get(name)); } else { own.delete(name); }
    });
    var query = own.toString();
    try {
      window.history.replaceState(
        null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash
      );
    } catch (error) {
      // A browser may refuse to rewrite a file: URL; the links above still carry the filters.
    }
  }

  function setup() {
    document.querySelectorAll("form[data-pc-filters]").forEach(function (form) {
      var params = new URLSearchParams(window.location.search);
      NAMES.forEach(function (name) {
        var wanted = params.get(name);
        var select = form.elements[name];
        if (wanted && select && Array.prototype.some.call(select.options, function (o) {
          return o.value === wanted;
        })) {
          select.value = wanted;
        }
      });
      form.hidden = false;
      form.addEventListener("change", function () { apply(form); });
      form.addEventListener("submit", function (event) { event.preventDefault(); });
      apply(form);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
