// Pay a crypto order from the investor's browser wallet: an ERC-20 transfer(paymentAddress, paymentDue)
// on the stablecoin, sent through EIP-1193 (window.ethereum) from the order's verified wallet. The server
// never sees a key; the chain monitor matches the mined transfer to the order by sender and amount.
(function () {
  var button = document.getElementById("pay-with-wallet");
  if (!button) { return; }
  var result = document.getElementById("pay-result");
  var TRANSFER = "0xa9059cbb"; // transfer(address,uint256)

  function word(hex) { return hex.replace(/^0x/, "").toLowerCase().padStart(64, "0"); }

  function transferData(to, amount) { return TRANSFER + word(to) + word(BigInt(amount).toString(16)); }

  button.addEventListener("click", function () {
    if (!window.ethereum) { result.textContent = "No browser wallet found. Install one, or send the payment by hand."; return; }
    var from = button.dataset.from;
    button.disabled = true;
    result.textContent = "Waiting for your wallet…";
    window.ethereum.request({ method: "eth_requestAccounts" })
      .then(function (accounts) {
        var chosen = (accounts || []).filter(function (a) { return a.toLowerCase() === from.toLowerCase(); });
        if (!chosen.length) { throw new Error("Switch your wallet to " + from + ": only payments from it are matched to this order."); }
        return window.ethereum.request({ method: "eth_sendTransaction", params: [{
          from: chosen[0], to: button.dataset.token, data: transferData(button.dataset.to, button.dataset.amount) }] });
      })
      .then(function (txHash) {
        result.textContent = "Payment sent (" + txHash + "). The order settles once the transfer is confirmed on chain.";
      })
      .catch(function (error) {
        button.disabled = false;
        result.textContent = error.message || String(error);
      });
  });
})();
