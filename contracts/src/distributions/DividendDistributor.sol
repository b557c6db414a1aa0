// SPDX-License-Identifier: GPL-3.0
pragma solidity 0.8.17;

/// Pays a distribution's holder lines in one transaction, each (distribution, recipient) at most once.
///
/// Why a contract: the platform's payout jobs may be retried after a crash at any point, and a retry
/// must pay only the lines the chain has not paid. The `paid` mapping is that record; a line already
/// paid is skipped, so resending a whole batch is always safe. A recipient the stablecoin refuses
/// (a blacklisted or otherwise blocked wallet, a reverting transfer) does not revert the batch: its
/// line is left unpaid and reported by `DividendHeld` for staff to settle another way.
///
/// The coins move from `from` (the platform treasury) with `transferFrom`: the treasury approves this
/// contract once; only the platform's agents may call `distribute`.
contract DividendDistributor {
    address public owner;
    mapping(address => bool) public isAgent;
    /// distributionId => recipient => paid
    mapping(bytes32 => mapping(address => bool)) public paid;

    event AgentSet(address indexed agent, bool enabled);
    event DividendPaid(bytes32 indexed distributionId, address indexed recipient, address indexed token,
                       uint256 amount);
    event DividendHeld(bytes32 indexed distributionId, address indexed recipient, address indexed token,
                       uint256 amount, bytes reason);

    error NotOwner();
    error NotAgent();
    error LengthMismatch();
    error NoToken();

    constructor(address agent) {
        owner = msg.sender;
        isAgent[agent] = true;
        emit AgentSet(agent, true);
    }

    function setAgent(address agent, bool enabled) external {
        if (msg.sender != owner) revert NotOwner();
        isAgent[agent] = enabled;
        emit AgentSet(agent, enabled);
    }

    /// Pay `amounts[i]` of `token` from `from` to `recipients[i]` for each line not yet paid.
    /// Returns how many lines this call paid (skipped and held lines excluded).
    function distribute(address token, address from, bytes32 distributionId, address[] calldata recipients,
                        uint256[] calldata amounts) external returns (uint256 count) {
        if (!isAgent[msg.sender]) revert NotAgent();
        if (recipients.length != amounts.length) revert LengthMismatch();
        if (token.code.length == 0) revert NoToken();
        mapping(address => bool) storage done = paid[distributionId];
        for (uint256 i = 0; i < recipients.length; i++) {
            address recipient = recipients[i];
            if (done[recipient]) continue;  // a retry: this line is paid already
            done[recipient] = true;  // before the call: a re-entering token cannot pay it twice
            (bool ok, bytes memory reason) = _pull(token, from, recipient, amounts[i]);
            if (ok) {
                count++;
                emit DividendPaid(distributionId, recipient, token, amounts[i]);
            } else {
                done[recipient] = false;
                emit DividendHeld(distributionId, recipient, token, amounts[i], reason);
            }
        }
    }

    /// transferFrom through a low-level call: a revert or a `false` is a refusal, not our revert.
    function _pull(address token, address from, address to, uint256 amount)
        private returns (bool, bytes memory) {
        (bool ok, bytes memory ret) = token.call(abi.encodeWithSelector(0x23b872dd, from, to, amount));
        if (!ok) return (false, ret);
        if (ret.length == 0) return (true, ret);  // tokens that return nothing (USDT style)
        if (ret.length >= 32 && abi.decode(ret, (uint256)) == 1) return (true, ret);
        return (false, ret);
    }
}
