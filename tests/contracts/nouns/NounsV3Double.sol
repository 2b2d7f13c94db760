// SPDX-License-Identifier: MIT
// A governor with the public interface and rules of Nouns DAO's NounsDAOLogicV3 and V4 (the logic Nouns runs
// today), for what Polis reads of them that the published V1 and V2 bytecode does not have: the Updatable
// period after a proposal is made, during which its proposer may edit it (ProposalUpdated,
// ProposalTransactionsUpdated, ProposalDescriptionUpdated); the objection period a last-minute swing from
// defeated to passing opens, when only AGAINST votes are taken (ProposalObjectionPeriodSet, state
// ObjectionPeriod); and the vote snapshot switch: proposals from `voteSnapshotBlockSwitchProposalId()` on count
// votes at their startBlock, earlier ones at their creation block. Its `proposals(id)` is V3's backwards
// compatible ProposalCondensedV2 (15 words). Quorum is a fixed share of the supply at creation; queueing,
// execution, signatures, forks and V3's second creation event (ProposalCreatedWithRequirements, which Polis does
// not read) are left out. The token is the real NounsToken (getPriorVotes, totalSupply).
pragma solidity ^0.8.20;

interface NounsTokenLike {
    function getPriorVotes(address account, uint256 blockNumber) external view returns (uint96);

    function totalSupply() external view returns (uint256);
}

contract NounsV3Double {
    enum ProposalState {
        Pending,
        Active,
        Canceled,
        Defeated,
        Succeeded,
        Queued,
        Expired,
        Executed,
        Vetoed,
        ObjectionPeriod,
        Updatable
    }

    struct ProposalCondensedV2 {
        uint256 id;
        address proposer;
        uint256 proposalThreshold;
        uint256 quorumVotes;
        uint256 eta;
        uint256 startBlock;
        uint256 endBlock;
        uint256 forVotes;
        uint256 againstVotes;
        uint256 abstainVotes;
        bool canceled;
        bool vetoed;
        bool executed;
        uint256 totalSupply;
        uint256 creationBlock;
    }

    struct Receipt {
        bool hasVoted;
        uint8 support;
        uint96 votes;
    }

    struct Proposal {
        ProposalCondensedV2 p;
        uint256 updatePeriodEndBlock;
        uint256 objectionPeriodEndBlock;
        mapping(address => Receipt) receipts;
    }

    event ProposalCreated(uint256 id, address proposer, address[] targets, uint256[] values, string[] signatures,
        bytes[] calldatas, uint256 startBlock, uint256 endBlock, string description);
    event ProposalUpdated(uint256 indexed id, address indexed proposer, address[] targets, uint256[] values,
        string[] signatures, bytes[] calldatas, string description, string updateMessage);
    event ProposalTransactionsUpdated(uint256 indexed id, address indexed proposer, address[] targets,
        uint256[] values, string[] signatures, bytes[] calldatas, string updateMessage);
    event ProposalDescriptionUpdated(uint256 indexed id, address indexed proposer, string description,
        string updateMessage);
    event ProposalObjectionPeriodSet(uint256 indexed id, uint256 objectionPeriodEndBlock);
    event ProposalVetoed(uint256 id);
    event VoteCast(address indexed voter, uint256 proposalId, uint8 support, uint256 votes, string reason);

    NounsTokenLike public immutable nouns;
    address public immutable admin;
    address public vetoer;
    uint256 public votingDelay;
    uint256 public votingPeriod;
    uint256 public proposalUpdatablePeriodInBlocks;
    uint256 public lastMinuteWindowInBlocks;
    uint256 public objectionPeriodDurationInBlocks;
    uint256 public quorumVotesBPS;
    uint256 public proposalCount;
    uint256 public voteSnapshotBlockSwitchProposalId;
    mapping(uint256 => Proposal) internal _proposals;
    mapping(address => uint256) public latestProposalIds;

    constructor(address nouns_, address vetoer_, uint256[6] memory periods) {
        nouns = NounsTokenLike(nouns_);
        admin = msg.sender;
        vetoer = vetoer_;
        (votingDelay, votingPeriod, proposalUpdatablePeriodInBlocks) = (periods[0], periods[1], periods[2]);
        (lastMinuteWindowInBlocks, objectionPeriodDurationInBlocks, quorumVotesBPS) = (periods[3], periods[4],
            periods[5]);
    }

    /// As V3's admin function: proposals made from now on count votes at their startBlock.
    function _setVoteSnapshotBlockSwitchProposalId() external {
        require(msg.sender == admin, "admin only");
        voteSnapshotBlockSwitchProposalId = proposalCount + 1;
    }

    function propose(address[] memory targets, uint256[] memory values, string[] memory signatures,
        bytes[] memory calldatas, string memory description) external returns (uint256) {
        require(nouns.getPriorVotes(msg.sender, block.number - 1) > 0, "votes below proposal threshold");
        require(targets.length == values.length && targets.length == signatures.length
            && targets.length == calldatas.length && targets.length > 0, "proposal function information mismatch");
        uint256 id = ++proposalCount;
        Proposal storage prop = _proposals[id];
        uint256 updateEnd = block.number + proposalUpdatablePeriodInBlocks;
        uint256 start = updateEnd + votingDelay;
        uint256 supply = nouns.totalSupply();
        prop.p = ProposalCondensedV2(id, msg.sender, 0, supply * quorumVotesBPS / 10_000, 0, start,
            start + votingPeriod, 0, 0, 0, false, false, false, supply, block.number);
        prop.updatePeriodEndBlock = updateEnd;
        latestProposalIds[msg.sender] = id;
        emit ProposalCreated(id, msg.sender, targets, values, signatures, calldatas, start, start + votingPeriod,
            description);
        return id;
    }

    function _editable(uint256 id) internal view returns (Proposal storage prop) {
        require(state(id) == ProposalState.Updatable, "can only edit updatable proposals");
        prop = _proposals[id];
        require(msg.sender == prop.p.proposer, "only the proposer can edit");
    }

    function updateProposal(uint256 id, address[] memory targets, uint256[] memory values,
        string[] memory signatures, bytes[] memory calldatas, string memory description,
        string memory updateMessage) external {
        _editable(id);
        emit ProposalUpdated(id, msg.sender, targets, values, signatures, calldatas, description, updateMessage);
    }

    function updateProposalTransactions(uint256 id, address[] memory targets, uint256[] memory values,
        string[] memory signatures, bytes[] memory calldatas, string memory updateMessage) external {
        _editable(id);
        emit ProposalTransactionsUpdated(id, msg.sender, targets, values, signatures, calldatas, updateMessage);
    }

    function updateProposalDescription(uint256 id, string calldata description, string calldata updateMessage)
        external {
        _editable(id);
        emit ProposalDescriptionUpdated(id, msg.sender, description, updateMessage);
    }

    function veto(uint256 id) external {
        require(msg.sender == vetoer, "vetoer only");
        _proposals[id].p.vetoed = true;
        emit ProposalVetoed(id);
    }

    function _defeated(ProposalCondensedV2 storage p) internal view returns (bool) {
        return p.forVotes <= p.againstVotes || p.forVotes < p.quorumVotes;
    }

    function state(uint256 id) public view returns (ProposalState) {
        require(proposalCount >= id && id > 0, "invalid proposal id");
        Proposal storage prop = _proposals[id];
        ProposalCondensedV2 storage p = prop.p;
        if (p.vetoed) return ProposalState.Vetoed;
        if (p.canceled) return ProposalState.Canceled;
        if (block.number <= prop.updatePeriodEndBlock) return ProposalState.Updatable;
        if (block.number <= p.startBlock) return ProposalState.Pending;
        if (block.number <= p.endBlock) return ProposalState.Active;
        if (block.number <= prop.objectionPeriodEndBlock) return ProposalState.ObjectionPeriod;
        if (_defeated(p)) return ProposalState.Defeated;
        return ProposalState.Succeeded;
    }

    /// The block whose votes count: startBlock from the switch on, the creation block before it.
    function snapshotBlock(uint256 id) public view returns (uint256) {
        ProposalCondensedV2 storage p = _proposals[id].p;
        if (id < voteSnapshotBlockSwitchProposalId || voteSnapshotBlockSwitchProposalId == 0) {
            return p.creationBlock;
        }
        return p.startBlock;
    }

    function castVote(uint256 id, uint8 support) external {
        emit VoteCast(msg.sender, id, support, _cast(id, support), "");
    }

    function castVoteWithReason(uint256 id, uint8 support, string calldata reason) external {
        emit VoteCast(msg.sender, id, support, _cast(id, support), reason);
    }

    function _cast(uint256 id, uint8 support) internal returns (uint96 votes) {
        ProposalState s = state(id);
        Proposal storage prop = _proposals[id];
        ProposalCondensedV2 storage p = prop.p;
        if (s == ProposalState.ObjectionPeriod) {
            require(support == 0, "can only object with an against vote");
        } else {
            require(s == ProposalState.Active, "voting is closed");
            require(support <= 2, "invalid vote type");
        }
        Receipt storage receipt = prop.receipts[msg.sender];
        require(!receipt.hasVoted, "voter already voted");
        votes = nouns.getPriorVotes(msg.sender, snapshotBlock(id));
        bool lastMinute = s == ProposalState.Active && support == 1
            && p.endBlock - block.number < lastMinuteWindowInBlocks;
        bool defeatedBefore = lastMinute && _defeated(p);
        if (support == 0) p.againstVotes += votes;
        else if (support == 1) p.forVotes += votes;
        else p.abstainVotes += votes;
        if (defeatedBefore && prop.objectionPeriodEndBlock == 0 && !_defeated(p)) {
            prop.objectionPeriodEndBlock = p.endBlock + objectionPeriodDurationInBlocks;
            emit ProposalObjectionPeriodSet(id, prop.objectionPeriodEndBlock);
        }
        receipt.hasVoted = true;
        receipt.support = support;
        receipt.votes = votes;
    }

    function getReceipt(uint256 id, address voter) external view returns (Receipt memory) {
        return _proposals[id].receipts[voter];
    }

    function proposals(uint256 id) external view returns (ProposalCondensedV2 memory) {
        return _proposals[id].p;
    }

    function quorumVotes(uint256 id) external view returns (uint256) {
        return _proposals[id].p.quorumVotes;
    }

    function objectionPeriodEndBlock(uint256 id) external view returns (uint256) {
        return _proposals[id].objectionPeriodEndBlock;
    }
}
