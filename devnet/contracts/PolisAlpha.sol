// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice The Comp voting interface GovernorAlpha reads power through.
interface ICompVotes {
    function getPriorVotes(address account, uint256 blockNumber) external view returns (uint96);
}

/// @title PolisAlpha
/// @notice A devnet governor exposing Compound's GovernorAlpha interface, written for Polis tests:
///         sequential ids, `proposals(id)` with 9 words (no abstain), bool votes without reasons
///         (`castVote(uint256,bool)`), `VoteCast(address voter, uint256 proposalId, bool support,
///         uint256 votes)` with nothing indexed, receipts with a bool support, and a constant
///         FOR-only quorum (`quorumVotes()`). Like PolisBravo it is its own timelock and treasury:
///         `queue` sets an eta `queueDelay` seconds ahead and a queued proposal expires `gracePeriod`
///         seconds after its eta. Voting windows are in blocks.
contract PolisAlpha {
    /// @dev Field order matches GovernorAlpha's `proposals(uint256)` getter.
    struct Proposal {
        uint256 id;
        address proposer;
        uint256 eta;
        uint256 startBlock;
        uint256 endBlock;
        uint256 forVotes;
        uint256 againstVotes;
        bool canceled;
        bool executed;
    }

    struct Actions {
        address[] targets;
        uint256[] values;
        string[] signatures;
        bytes[] calldatas;
    }

    struct Receipt {
        bool hasVoted;
        bool support;
        uint96 votes;
    }

    enum ProposalState {
        Pending,
        Active,
        Canceled,
        Defeated,
        Succeeded,
        Queued,
        Expired,
        Executed
    }

    event ProposalCreated(
        uint256 id,
        address proposer,
        address[] targets,
        uint256[] values,
        string[] signatures,
        bytes[] calldatas,
        uint256 startBlock,
        uint256 endBlock,
        string description
    );
    event VoteCast(address voter, uint256 proposalId, bool support, uint256 votes);
    event ProposalCanceled(uint256 id);
    event ProposalQueued(uint256 id, uint256 eta);
    event ProposalExecuted(uint256 id);

    string public constant name = "Polis Alpha";
    uint256 public constant proposalMaxOperations = 10;

    ICompVotes public immutable comp;
    address public immutable guardian;
    uint256 public immutable votingDelay;
    uint256 public immutable votingPeriod;
    uint256 public immutable proposalThreshold;
    uint256 public immutable queueDelay;
    uint256 public immutable gracePeriod;
    uint256 private immutable _quorumVotes;

    uint256 public proposalCount;
    mapping(uint256 => Proposal) public proposals;
    mapping(address => uint256) public latestProposalIds;
    mapping(uint256 => Actions) private _actions;
    mapping(uint256 => mapping(address => Receipt)) private _receipts;

    constructor(
        ICompVotes comp_,
        uint256 votingDelay_,
        uint256 votingPeriod_,
        uint256 proposalThreshold_,
        uint256 quorumVotes_,
        uint256 queueDelay_,
        uint256 gracePeriod_
    ) {
        require(votingPeriod_ > 0, "GovernorAlpha::constructor: zero voting period");
        comp = comp_;
        guardian = msg.sender;
        votingDelay = votingDelay_;
        votingPeriod = votingPeriod_;
        proposalThreshold = proposalThreshold_;
        _quorumVotes = quorumVotes_;
        queueDelay = queueDelay_;
        gracePeriod = gracePeriod_;
    }

    receive() external payable {}

    /// @notice FOR votes a proposal needs to succeed (a constant, as in GovernorAlpha).
    function quorumVotes() public view returns (uint256) {
        return _quorumVotes;
    }

    function propose(
        address[] memory targets,
        uint256[] memory values,
        string[] memory signatures,
        bytes[] memory calldatas,
        string memory description
    ) public returns (uint256) {
        require(
            comp.getPriorVotes(msg.sender, block.number - 1) >= proposalThreshold,
            "GovernorAlpha::propose: proposer votes below proposal threshold"
        );
        require(
            targets.length == values.length && targets.length == signatures.length
                && targets.length == calldatas.length,
            "GovernorAlpha::propose: proposal function information arity mismatch"
        );
        require(targets.length != 0, "GovernorAlpha::propose: must provide actions");
        require(targets.length <= proposalMaxOperations, "GovernorAlpha::propose: too many actions");

        uint256 startBlock = block.number + votingDelay;
        uint256 endBlock = startBlock + votingPeriod;
        uint256 id = ++proposalCount;
        proposals[id] = Proposal(id, msg.sender, 0, startBlock, endBlock, 0, 0, false, false);
        Actions storage a = _actions[id];
        a.targets = targets;
        a.values = values;
        a.signatures = signatures;
        a.calldatas = calldatas;
        latestProposalIds[msg.sender] = id;
        emit ProposalCreated(id, msg.sender, targets, values, signatures, calldatas, startBlock, endBlock, description);
        return id;
    }

    function queue(uint256 proposalId) external {
        require(state(proposalId) == ProposalState.Succeeded,
                "GovernorAlpha::queue: proposal can only be queued if it is succeeded");
        uint256 eta = block.timestamp + queueDelay;
        proposals[proposalId].eta = eta;
        emit ProposalQueued(proposalId, eta);
    }

    function execute(uint256 proposalId) external payable {
        require(state(proposalId) == ProposalState.Queued,
                "GovernorAlpha::execute: proposal can only be executed if it is queued");
        Proposal storage p = proposals[proposalId];
        require(block.timestamp >= p.eta, "GovernorAlpha::execute: transaction hasn't surpassed time lock");
        p.executed = true;
        Actions storage a = _actions[proposalId];
        for (uint256 i = 0; i < a.targets.length; ++i) {
            bytes memory callData = bytes(a.signatures[i]).length == 0
                ? a.calldatas[i]
                : abi.encodePacked(bytes4(keccak256(bytes(a.signatures[i]))), a.calldatas[i]);
            (bool ok,) = a.targets[i].call{value: a.values[i]}(callData);
            require(ok, "GovernorAlpha::execute: transaction execution reverted");
        }
        emit ProposalExecuted(proposalId);
    }

    function cancel(uint256 proposalId) external {
        require(state(proposalId) != ProposalState.Executed,
                "GovernorAlpha::cancel: cannot cancel executed proposal");
        Proposal storage p = proposals[proposalId];
        require(
            msg.sender == guardian || comp.getPriorVotes(p.proposer, block.number - 1) < proposalThreshold,
            "GovernorAlpha::cancel: proposer above threshold"
        );
        p.canceled = true;
        emit ProposalCanceled(proposalId);
    }

    function getActions(uint256 proposalId)
        external
        view
        returns (address[] memory targets, uint256[] memory values, string[] memory signatures, bytes[] memory calldatas)
    {
        Actions storage a = _actions[proposalId];
        return (a.targets, a.values, a.signatures, a.calldatas);
    }

    function getReceipt(uint256 proposalId, address voter) external view returns (Receipt memory) {
        return _receipts[proposalId][voter];
    }

    function state(uint256 proposalId) public view returns (ProposalState) {
        require(proposalCount >= proposalId && proposalId > 0, "GovernorAlpha::state: invalid proposal id");
        Proposal storage p = proposals[proposalId];
        if (p.canceled) {
            return ProposalState.Canceled;
        } else if (block.number <= p.startBlock) {
            return ProposalState.Pending;
        } else if (block.number <= p.endBlock) {
            return ProposalState.Active;
        } else if (p.forVotes <= p.againstVotes || p.forVotes < quorumVotes()) {
            return ProposalState.Defeated;
        } else if (p.eta == 0) {
            return ProposalState.Succeeded;
        } else if (p.executed) {
            return ProposalState.Executed;
        } else if (block.timestamp >= p.eta + gracePeriod) {
            return ProposalState.Expired;
        }
        return ProposalState.Queued;
    }

    function castVote(uint256 proposalId, bool support) external {
        _castVote(msg.sender, proposalId, support);
    }

    function _castVote(address voter, uint256 proposalId, bool support) internal {
        require(state(proposalId) == ProposalState.Active, "GovernorAlpha::_castVote: voting is closed");
        Proposal storage p = proposals[proposalId];
        Receipt storage receipt = _receipts[proposalId][voter];
        require(!receipt.hasVoted, "GovernorAlpha::_castVote: voter already voted");
        uint96 votes = comp.getPriorVotes(voter, p.startBlock);
        if (support) {
            p.forVotes += votes;
        } else {
            p.againstVotes += votes;
        }
        receipt.hasVoted = true;
        receipt.support = support;
        receipt.votes = votes;
        emit VoteCast(voter, proposalId, support, votes);
    }
}
