// A live character count under long text fields (<textarea data-count-max="1000">), so a
// note is never cut silently: the browser's maxlength is off, and the server says clearly
// when a note is too long. Works for fields htmx puts on the page later too.
document.addEventListener("input", function (event) {
  var field = event.target;
  var max = field.getAttribute && field.getAttribute("data-count-max");
  if (!max) return;
  var counter = document.querySelector('[data-count-for="' + field.id + '"]');
  if (!counter) return;
  var length = field.value.length;
  counter.textContent = length + " / " + max;
  counter.classList.toggle("text-danger", length > Number(max));
  counter.classList.toggle("fw-semibold", length > Number(max));
});
