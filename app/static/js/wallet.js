// Wallet proof: ask the EIP-1193 wallet (window.ethereum) for an account, get a Sign-In with Ethereum
// message from the server, have the wallet sign it (personal_sign) and send both back for checking.
(function () {
  var button = document.getElementById("connect-wallet");
  if (!button) { return; }
  var result = document.getElementById("wallet-result");
  var csrf = document.querySelector('meta[name="csrf-token"]').content;

  function post(url, fields) {
    var body = new URLSearchParams(fields);
    return fetch(url, { method: "POST", body: body, credentials: "same-origin",
                        headers: { "X-CSRFToken": csrf, "Accept": "application/json" } })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) { throw new Error(data.error || data.message || "The request failed."); }
          return data;
        });
      });
  }

  function utf8Hex(text) {
    var bytes = new TextEncoder().encode(text), hex = "0x";
    bytes.forEach(function (b) { hex += b.toString(16).padStart(2, "0"); });
    return hex;
  }

  button.addEventListener("click", function () {
    if (!window.ethereum) { result.textContent = "No browser wallet found. Install one and try again, or use a wallet held by Libertum."; return; }
    var address, message;
    result.textContent = "Waiting for your wallet…";
    window.ethereum.request({ method: "eth_requestAccounts" })
      .then(function (accounts) {
        address = accounts[0];
        return post(button.dataset.messageUrl, { address: address });
      })
      .then(function (data) {
        message = data.message;
        return window.ethereum.request({ method: "personal_sign", params: [utf8Hex(message), address] });
      })
      .then(function (signature) { return post(button.dataset.proveUrl, { message: message, signature: signature }); })
      .then(function (data) { result.textContent = data.message; window.setTimeout(function () { window.location.reload(); }, 800); })
      .catch(function (error) { result.textContent = error.message || String(error); });
  });
})();
