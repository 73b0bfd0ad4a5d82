// Small pieces the editor's parts share.

// An element with its properties set: `make("button", { type: "button", textContent: "Apply" })`.
export function make(tag, properties) {
  return Object.assign(document.createElement(tag), properties);
}

// POSTs `body` (a FormData or URLSearchParams carrying the CSRF token) to a back-office address that answers
// JSON, and returns the answer; an error's message says why it failed, in words for the editor.
export async function postForJson(address, body) {
  let response;
  try {
    response = await fetch(address, {
      method: "POST", body, credentials: "same-origin", headers: { accept: "application/json" },
    });
  } catch (error) {
    throw new Error("the server cannot be reached");
  }
  const type = response.headers.get("content-type") || "";
  if (!type.includes("application/json")) {
    throw new Error(response.redirected || response.status === 403
      ? "you are signed out; sign in again in another tab, then try again"
      : "the server answered " + response.status);
  }
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.error || "the server answered " + response.status);
  return answer;
}
