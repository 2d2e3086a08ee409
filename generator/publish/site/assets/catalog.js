// The catalog's filter and copy buttons. Inline in the page, no server, no outside assets;
// without JavaScript every entry stays visible and the lines can be selected by hand.
(function () {
  "use strict";
  var form = document.getElementById("filter");
  if (!form) {
    return;
  }
  var nameBox = document.getElementById("filter-name");
  var archBox = document.getElementById("filter-arch");
  var pythonBox = document.getElementById("filter-python");
  var count = document.getElementById("filter-count");
  var families = Array.prototype.slice.call(document.querySelectorAll("article.family"));
  var bundles = Array.prototype.slice.call(document.querySelectorAll("article.bundle"));
  var sections = Array.prototype.slice.call(
    document.querySelectorAll("section.module, section.bundles"));

  // A word matches a module name as PEP 503 normalises it, or the start of a version; a
  // bundle's data-module lists its name and its members' names.
  function matchesWords(article, words) {
    var module = article.getAttribute("data-module");
    var version = article.getAttribute("data-version");
    return words.every(function (word) {
      return module.indexOf(word.replace(/[-_.]+/g, "-")) !== -1 || version.indexOf(word) === 0;
    });
  }

  // Shows the entries the filter allows (and within them only the arch asked for); the count.
  function narrow(articles, words, arch, python) {
    var shown = 0;
    articles.forEach(function (article) {
      var archs = article.getAttribute("data-archs").split(" ");
      var visible = matchesWords(article, words) &&
        (!python || article.getAttribute("data-python") === python) &&
        (!arch || archs.indexOf(arch) !== -1);
      article.hidden = !visible;
      shown += visible ? 1 : 0;
      article.querySelectorAll("[data-arch]").forEach(function (row) {
        row.hidden = Boolean(arch) && row.getAttribute("data-arch") !== arch;
      });
    });
    return shown;
  }

  function apply() {
    var words = nameBox.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = narrow(families, words, archBox.value, pythonBox.value);
    var shownBundles = narrow(bundles, words, archBox.value, pythonBox.value);
    sections.forEach(function (section) {
      section.hidden = !section.querySelector("article:not([hidden])");
    });
    count.textContent = "Showing " + shown + " of " + families.length + " module versions" +
      (bundles.length ? ", " + shownBundles + " of " + bundles.length + " bundles" : "");
  }

  // Selects the lines (so Ctrl+C works everywhere) and copies them where the browser lets
  // the page write to the clipboard.
  function copy(button) {
    var code = document.getElementById(button.getAttribute("data-copies"));
    var range = document.createRange();
    range.selectNodeContents(code);
    window.getSelection().removeAllRanges();
    window.getSelection().addRange(range);
    var selected = function () { button.textContent = "Selected: press Ctrl+C"; };
    if (!navigator.clipboard) {
      selected();
      return;
    }
    navigator.clipboard.writeText(code.textContent).then(function () {
      button.textContent = "Copied";
    }, selected);
  }

  form.hidden = false;
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  document.querySelectorAll("button.copy").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { copy(button); });
  });
  apply();
}());
