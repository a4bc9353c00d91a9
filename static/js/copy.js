// "Copy" buttons: <button data-copy="#input-id">. Without JavaScript the link is still
// there to select by hand.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.querySelector(button.dataset.copy);
  const label = button.textContent;
  try {
    await navigator.clipboard.writeText(field.value);
  } catch {
    field.select();
    document.execCommand("copy");
  }
  button.textContent = button.dataset.copied || "Copied";
  setTimeout(() => { button.textContent = label; }, 2000);
});
