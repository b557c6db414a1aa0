// SPDX-License-Identifier: GPL-3.0
pragma solidity 0.8.17;

import "./LibertumModule.sol";

/// Each mint is locked until its release date, mint time + the token's lock-up period (0 = none),
/// and only unlocked balance can move by transfer. Lots remember their mint time, so the release
/// date follows the period: shortening the period releases sooner; lengthening it is refused while
/// it would lock again tokens already sold (RetroactiveLockup).
///
/// Agents: a burn or a forced transfer may take locked tokens. A wallet's unlocked tokens go first;
/// the locked remainder is taken from the lots released last. Burnt locked tokens are gone; locked
/// tokens moved by a forced transfer stay locked at the receiving wallet until the same release
/// date (a recovery to a new wallet does not end a lock-up).
contract LockupModule is LibertumModule {
    /// Asked lock-up period would lock again tokens minted since `lastLockedMint`.
    error RetroactiveLockup(uint256 currentPeriod, uint256 requestedPeriod, uint256 lastLockedMint);
    error LockupTooLong(uint256 requestedPeriod, uint256 maxPeriod);
    /// A single mint above 2^192 - 1 base units cannot be recorded as a lot.
    error AmountTooLarge(uint256 amount);

    event LockupPeriodSet(address indexed compliance, uint256 period);

    struct Lot {
        uint192 amount;
        uint64 mintedAt;
    }

    uint256 public constant MAX_PERIOD = 100 * 365 days;

    mapping(address => uint64) private _period;
    mapping(address => uint64) private _lastLockedMint;
    mapping(address => mapping(address => Lot[])) private _lots;

    function setLockupPeriod(uint256 period) external onlyBoundCompliance {
        if (period > MAX_PERIOD) revert LockupTooLong(period, MAX_PERIOD);
        uint256 current = _period[msg.sender];
        uint256 last = _lastLockedMint[msg.sender];
        if (period > current && last != 0 && last + period > block.timestamp) {
            revert RetroactiveLockup(current, period, last);
        }
        _period[msg.sender] = uint64(period);
        emit LockupPeriodSet(msg.sender, period);
    }

    function lockupPeriod(address _compliance) external view returns (uint256) {
        return _period[_compliance];
    }

    /// Tokens of `wallet` that cannot move by transfer now.
    function lockedBalance(address _compliance, address wallet) public view returns (uint256 locked) {
        Lot[] storage lots = _lots[_compliance][wallet];
        uint256 period = _period[_compliance];
        for (uint256 i = 0; i < lots.length; i++) {
            if (lots[i].mintedAt + period > block.timestamp) locked += lots[i].amount;
        }
    }

    /// The wallet's lots still locked now, as (amount, release date) pairs.
    function lockedLots(address _compliance, address wallet)
        external view returns (uint256[] memory amounts, uint256[] memory releases)
    {
        Lot[] storage lots = _lots[_compliance][wallet];
        uint256 period = _period[_compliance];
        uint256 count;
        for (uint256 i = 0; i < lots.length; i++) {
            if (lots[i].mintedAt + period > block.timestamp) count++;
        }
        amounts = new uint256[](count);
        releases = new uint256[](count);
        uint256 j;
        for (uint256 i = 0; i < lots.length; i++) {
            if (lots[i].mintedAt + period > block.timestamp) {
                (amounts[j], releases[j]) = (lots[i].amount, lots[i].mintedAt + period);
                j++;
            }
        }
    }

    function moduleCheck(address _from, address, uint256 _value, address _compliance)
        external view override returns (bool)
    {
        if (_from == address(0)) return true;
        uint256 balance = _token(_compliance).balanceOf(_from);
        uint256 locked = lockedBalance(_compliance, _from);
        return locked <= balance && _value <= balance - locked;
    }

    function moduleMintAction(address _to, uint256 _value) external override onlyBoundCompliance {
        if (_period[msg.sender] == 0) return;
        if (_value > type(uint192).max) revert AmountTooLarge(_value);
        _prune(msg.sender, _to);
        Lot[] storage lots = _lots[msg.sender][_to];
        uint256 last = lots.length;
        // Several mints in one block (a batchMint of many orders) share one lot: same release date.
        if (last > 0 && lots[last - 1].mintedAt == block.timestamp
            && uint256(lots[last - 1].amount) + _value <= type(uint192).max) {
            lots[last - 1].amount += uint192(_value);
        } else {
            lots.push(Lot(uint192(_value), uint64(block.timestamp)));
        }
        _lastLockedMint[msg.sender] = uint64(block.timestamp);
    }

    function moduleTransferAction(address _from, address _to, uint256) external override onlyBoundCompliance {
        _takeLocked(msg.sender, _from, _to);
    }

    function moduleBurnAction(address _from, uint256) external override onlyBoundCompliance {
        _takeLocked(msg.sender, _from, address(0));
    }

    function name() external pure override returns (string memory) {
        return "LockupModule";
    }

    /// After tokens left `from` (balances already updated by the token): if fewer tokens remain than
    /// are locked, the movement took locked lots; move them to `to` (forced transfer) or drop them (burn).
    function _takeLocked(address _compliance, address from, address to) private {
        uint256 locked = _prune(_compliance, from);
        if (locked == 0) return;
        uint256 balance = _token(_compliance).balanceOf(from);
        if (locked <= balance) return;
        uint256 excess = locked - balance;
        Lot[] storage lots = _lots[_compliance][from];
        while (excess > 0) {
            uint256 latest = _latest(lots);
            Lot storage lot = lots[latest];
            uint256 taken = lot.amount < excess ? lot.amount : excess;
            if (to != address(0)) _lots[_compliance][to].push(Lot(uint192(taken), lot.mintedAt));
            excess -= taken;
            if (taken < lot.amount) {
                lot.amount -= uint192(taken);
            } else {
                lots[latest] = lots[lots.length - 1];
                lots.pop();
            }
        }
    }

    function _latest(Lot[] storage lots) private view returns (uint256 index) {
        for (uint256 i = 1; i < lots.length; i++) {
            if (lots[i].mintedAt > lots[index].mintedAt) index = i;
        }
    }

    /// Drops the wallet's released lots (swap and pop); returns the amount still locked.
    function _prune(address _compliance, address wallet) private returns (uint256 locked) {
        Lot[] storage lots = _lots[_compliance][wallet];
        uint256 period = _period[_compliance];
        uint256 i = 0;
        while (i < lots.length) {
            if (lots[i].mintedAt + period > block.timestamp) {
                locked += lots[i].amount;
                i++;
            } else {
                lots[i] = lots[lots.length - 1];
                lots.pop();
            }
        }
    }
}
