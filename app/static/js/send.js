// Send tokens to another investor: the ERC-3643 transfer(to, amount) on the token, signed by the investor's own
// wallet through EIP-1193 (window.ethereum), as static/js/pay.js pays in stablecoin. The server checked every rule
// before showing this button; it only learns the transaction hash, keeps it and shows its progress.
(function () {
  var button = document.getElementById("send-with-wallet");
  if (!button) { return; }
  var result = document.getElementById("send-result");
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var TRANSFER = "0xa9059cbb"; // transfer(address,uint256)

  function word(hex) { return hex.replace(/^0x/, "").toLowerCase().padStart(64, "0"); }

  function transferData(to, amount) { return TRANSFER + word(to) + word(BigInt(amount).toString(16)); }

  function record(txHash) {
    var body = new URLSearchParams({ tx_hash: txHash, sender: button.dataset.from, recipient: button.dataset.to,
                                     amount_units: button.dataset.amount });
    return fetch(button.dataset.recordUrl, { method: "POST", body: body, credentials: "same-origin",
                                             headers: { "X-CSRFToken": csrf, "Accept": "application/json" } })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) { throw new Error(data.error || "The transfer was sent but could not be recorded."); }
          return data;
        });
      });
  }

  button.addEventListener("click", function () {
    if (!window.ethereum) { result.textContent = "No browser wallet found. Install one to send tokens."; return; }
    var from = button.dataset.from, sentHash = null;
    button.disabled = true;
    result.textContent = "Waiting for your wallet…";
    window.ethereum.request({ method: "eth_requestAccounts" })
      .then(function (accounts) {
        var chosen = (accounts || []).filter(function (a) { return a.toLowerCase() === from.toLowerCase(); });
        if (!chosen.length) { throw new Error("Switch your wallet to " + from + ": it is the wallet holding these tokens."); }
        return window.ethereum.request({ method: "eth_sendTransaction", params: [{
          from: chosen[0], to: button.dataset.token, data: transferData(button.dataset.to, button.dataset.amount) }] });
      })
      .then(function (txHash) {
        sentHash = txHash;
        result.textContent = "Sent (" + txHash + "). Recording it…";
        return record(txHash);
      })
      .then(function (data) { window.location.assign(data.status_url); })
      .catch(function (error) {
        if (sentHash) { result.textContent = (error.message || String(error)) + " Transaction: " + sentHash; return; }
        button.disabled = false;
        result.textContent = error.message || String(error);
      });
  });
})();
