// actbook: search-result snippets without raw TeX and without table cells run together.
// Sphinx builds each snippet from the text of the page's HTML, where formulas are still TeX
// source (MathJax typesets them only in the browser) and adjacent cells have no space.
document.addEventListener("DOMContentLoaded", () => {
  if (typeof Search === "undefined" || !Search.htmlToText) return;
  const htmlToText = Search.htmlToText;
  Search.htmlToText = (htmlString, anchor) => {
    const page = new DOMParser().parseFromString(htmlString, "text/html");
    page.querySelectorAll("span.math, div.math").forEach((el) => {
      const tex = el.textContent
        .replace(/\\[()[\]]/g, "")
        .replace(/\\[a-zA-Z]+/g, " ")
        .replace(/[{}\\]/g, "")
        .replace(/\s+/g, " ")
        .trim();
      el.replaceWith(page.createTextNode(` ${tex} `));
    });
    page.querySelectorAll("td, th, dt, li").forEach((el) => el.append(" "));
    return htmlToText(page.documentElement.outerHTML, anchor);
  };
});
