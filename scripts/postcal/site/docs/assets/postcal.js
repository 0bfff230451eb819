// Filters for the calendar views: channel, campaign and persona. No dependencies, no network.
// Without JavaScript every post stays visible and the filter form stays hidden.
(function () {
  "use strict";
  function apply(form) {
    var channel = form.elements.channel.value;
    var campaign = form.elements.campaign.value;
    var persona = form.elements.persona.value;
    var shown = 0;
    var chips = document.querySelectorAll(".pc-chip");
    chips.forEach(function (chip) {
      var ok = (!channel || chip.dataset.channels.split(" ").indexOf(channel) >= 0) &&
        (!campaign || chip.dataset.campaign === campaign) &&
        (!persona || chip.dataset.personas.split(" ").indexOf(persona) >= 0);
      chip.hidden = !ok;
      if (ok) { shown += 1; }
    });
    var output = form.querySelector(".pc-filter-count");
    if (output) { output.textContent = shown + " of " + chips.length + " shown"; }
    var params = new URLSearchParams(window.location.search);
    [["channel", channel], ["campaign", campaign], ["persona", persona]].forEach(function (pair) {
      if (pair[1]) { params.set(pair[0], pair[1]); } else { params.delete(pair[0]); }
    });
    var query = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
  }
  function setup() {
    document.querySelectorAll("form[data-pc-filters]").forEach(function (form) {
      var params = new URLSearchParams(window.location.search);
      ["channel", "campaign", "persona"].forEach(function (name) {
        var wanted = params.get(name);
        var select = form.elements[name];
        if (wanted && Array.prototype.some.call(select.options, function (o) { return o.value === wanted; })) {
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
