// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title PolisBravo
/// @notice A devnet governor exposing the GovernorBravo interface (sequential proposal ids,
///         signatures + calldatas actions, receipts, Bravo state order), written for Polis tests.
///         It is its own timelock and treasury: `queue` sets an eta `queueDelay` seconds ahead,
///         `execute` performs the calls from this contract, and a queued proposal expires
///         `gracePeriod` seconds after its eta. Voting windows are measured in blocks.
contract PolisBravo {
    /// @dev Field order matches GovernorBravo's `proposals(uint256)` getter.
    struct Proposal {
        uint256 id;
        address proposer;
        uint256 eta;
        uint256 startBlock;
        uint256 endBlock;
        uint256 forVotes;
        uint256 againstVotes;
        uint256 abstainVotes;
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
        uint8 support;
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

    // Same signatures (and so the same topics) as OpenZeppelin's IGovernor events.
    event ProposalCreated(
        uint256 proposalId,
        address proposer,
        address[] targets,
        uint256[] values,
        string[] signatures,
        bytes[] calldatas,
        uint256 voteStart,
        uint256 voteEnd,
        string description
    );
    event VoteCast(address indexed voter, uint256 proposalId, uint8 support, uint256 weight, string reason);
    event ProposalQueued(uint256 proposalId, uint256 etaSeconds);
    event ProposalExecuted(uint256 proposalId);
    event ProposalCanceled(uint256 proposalId);

    event VotingDelaySet(uint256 oldVotingDelay, uint256 newVotingDelay);
    event VotingPeriodSet(uint256 oldVotingPeriod, uint256 newVotingPeriod);
    event ProposalThresholdSet(uint256 oldProposalThreshold, uint256 newProposalThreshold);
    event QuorumVotesSet(uint256 oldQuorumVotes, uint256 newQuorumVotes);

    string public constant name = "Polis Bravo";
    uint256 public constant proposalMaxOperations = 10;
    bytes32 public constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,uint256 chainId,address verifyingContract)");
    bytes32 public constant BALLOT_TYPEHASH = keccak256("Ballot(uint256 proposalId,uint8 support)");

    IVotes public immutable comp;
    uint256 public immutable queueDelay;
    uint256 public immutable gracePeriod;

    address public admin;
    uint256 public votingDelay;
    uint256 public votingPeriod;
    uint256 public proposalThreshold;
    uint256 public quorumVotes;
    uint256 public proposalCount;

    mapping(uint256 => Proposal) public proposals;
    mapping(address => uint256) public latestProposalIds;
    mapping(uint256 => Actions) private _actions;
    mapping(uint256 => mapping(address => Receipt)) private _receipts;

    modifier onlyGovernance() {
        require(msg.sender == admin || msg.sender == address(this), "PolisBravo: admin only");
        _;
    }

    constructor(
        IVotes token_,
        uint256 votingDelay_,
        uint256 votingPeriod_,
        uint256 proposalThreshold_,
        uint256 quorumVotes_,
        uint256 queueDelay_,
        uint256 gracePeriod_
    ) {
        require(votingPeriod_ > 0, "PolisBravo: zero voting period");
        comp = token_;
        admin = msg.sender;
        votingDelay = votingDelay_;
        votingPeriod = votingPeriod_;
        proposalThreshold = proposalThreshold_;
        quorumVotes = quorumVotes_;
        queueDelay = queueDelay_;
        gracePeriod = gracePeriod_;
    }

    receive() external payable {}

    // ----------------------------------------------------------------- proposals

    function propose(
        address[] memory targets,
        uint256[] memory values,
        string[] memory signatures,
        bytes[] memory calldatas,
        string memory description
    ) public returns (uint256) {
        require(
            comp.getPastVotes(msg.sender, block.number - 1) >= proposalThreshold,
            "PolisBravo: proposer votes below proposal threshold"
        );
        require(
            targets.length == values.length && targets.length == signatures.length
                && targets.length == calldatas.length,
            "PolisBravo: proposal function information arity mismatch"
        );
        require(targets.length != 0, "PolisBravo: must provide actions");
        require(targets.length <= proposalMaxOperations, "PolisBravo: too many actions");

        uint256 startBlock = block.number + votingDelay;
        uint256 endBlock = startBlock + votingPeriod;
        uint256 id = ++proposalCount;

        Proposal storage p = proposals[id];
        p.id = id;
        p.proposer = msg.sender;
        p.startBlock = startBlock;
        p.endBlock = endBlock;

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
        require(state(proposalId) == ProposalState.Succeeded, "PolisBravo: proposal can only be queued if it is succeeded");
        uint256 eta = block.timestamp + queueDelay;
        proposals[proposalId].eta = eta;
        emit ProposalQueued(proposalId, eta);
    }

    function execute(uint256 proposalId) external payable {
        require(state(proposalId) == ProposalState.Queued, "PolisBravo: proposal can only be executed if it is queued");
        Proposal storage p = proposals[proposalId];
        require(block.timestamp >= p.eta, "PolisBravo: proposal has not surpassed its time lock");
        p.executed = true;
        Actions storage a = _actions[proposalId];
        for (uint256 i = 0; i < a.targets.length; ++i) {
            bytes memory callData = bytes(a.signatures[i]).length == 0
                ? a.calldatas[i]
                : abi.encodePacked(bytes4(keccak256(bytes(a.signatures[i]))), a.calldatas[i]);
            (bool ok, bytes memory ret) = a.targets[i].call{value: a.values[i]}(callData);
            if (!ok) {
                if (ret.length > 0) {
                    assembly {
                        revert(add(ret, 32), mload(ret))
                    }
                }
                revert("PolisBravo: transaction execution reverted");
            }
        }
        emit ProposalExecuted(proposalId);
    }

    function cancel(uint256 proposalId) external {
        require(state(proposalId) != ProposalState.Executed, "PolisBravo: cannot cancel executed proposal");
        Proposal storage p = proposals[proposalId];
        require(
            msg.sender == p.proposer || msg.sender == admin
                || comp.getPastVotes(p.proposer, block.number - 1) < proposalThreshold,
            "PolisBravo: proposer above threshold"
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
        require(proposalId > 0 && proposalId <= proposalCount, "PolisBravo: invalid proposal id");
        Proposal storage p = proposals[proposalId];
        if (p.canceled) {
            return ProposalState.Canceled;
        } else if (block.number <= p.startBlock) {
            return ProposalState.Pending;
        } else if (block.number <= p.endBlock) {
            return ProposalState.Active;
        } else if (p.forVotes <= p.againstVotes || p.forVotes < quorumVotes) {
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

    // --------------------------------------------------------------------- votes

    function castVote(uint256 proposalId, uint8 support) external {
        uint256 weight = _castVote(msg.sender, proposalId, support);
        emit VoteCast(msg.sender, proposalId, support, weight, "");
    }

    function castVoteWithReason(uint256 proposalId, uint8 support, string calldata reason) external {
        uint256 weight = _castVote(msg.sender, proposalId, support);
        emit VoteCast(msg.sender, proposalId, support, weight, reason);
    }

    function castVoteBySig(uint256 proposalId, uint8 support, uint8 v, bytes32 r, bytes32 s) external {
        bytes32 domainSeparator =
            keccak256(abi.encode(DOMAIN_TYPEHASH, keccak256(bytes(name)), block.chainid, address(this)));
        bytes32 structHash = keccak256(abi.encode(BALLOT_TYPEHASH, proposalId, support));
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", domainSeparator, structHash));
        address signatory = ECDSA.recover(digest, v, r, s);
        uint256 weight = _castVote(signatory, proposalId, support);
        emit VoteCast(signatory, proposalId, support, weight, "");
    }

    function _castVote(address voter, uint256 proposalId, uint8 support) internal returns (uint256) {
        require(state(proposalId) == ProposalState.Active, "PolisBravo: voting is closed");
        require(support <= 2, "PolisBravo: invalid vote type");
        Proposal storage p = proposals[proposalId];
        Receipt storage receipt = _receipts[proposalId][voter];
        require(!receipt.hasVoted, "PolisBravo: voter already voted");
        uint256 weight = comp.getPastVotes(voter, p.startBlock);
        require(weight <= type(uint96).max, "PolisBravo: votes overflow");

        if (support == 0) {
            p.againstVotes += weight;
        } else if (support == 1) {
            p.forVotes += weight;
        } else {
            p.abstainVotes += weight;
        }
        receipt.hasVoted = true;
        receipt.support = support;
        receipt.votes = uint96(weight);
        return weight;
    }

    // ------------------------------------------------------------------ settings

    function _setVotingDelay(uint256 newVotingDelay) external onlyGovernance {
        emit VotingDelaySet(votingDelay, newVotingDelay);
        votingDelay = newVotingDelay;
    }

    function _setVotingPeriod(uint256 newVotingPeriod) external onlyGovernance {
        require(newVotingPeriod > 0, "PolisBravo: zero voting period");
        emit VotingPeriodSet(votingPeriod, newVotingPeriod);
        votingPeriod = newVotingPeriod;
    }

    function _setProposalThreshold(uint256 newProposalThreshold) external onlyGovernance {
        emit ProposalThresholdSet(proposalThreshold, newProposalThreshold);
        proposalThreshold = newProposalThreshold;
    }

    function _setQuorumVotes(uint256 newQuorumVotes) external onlyGovernance {
        emit QuorumVotesSet(quorumVotes, newQuorumVotes);
        quorumVotes = newQuorumVotes;
    }

    function _setAdmin(address newAdmin) external onlyGovernance {
        admin = newAdmin;
    }
}
