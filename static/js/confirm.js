// Forms whose button does something a client would notice (a link that stops working)
// ask first: <form data-confirm="…">. Without JavaScript they simply submit.
document.addEventListener("submit", function (event) {
  var question = event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
