// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Minimal ENS for the Polis devnet, following ENS's public interfaces: a registry
///        (`owner`, `resolver`, `setSubnodeOwner`, `setResolver`), a resolver (`addr`, `name`,
///        ERC-165), a reverse registrar (`setName` for addr.reverse) and a universal resolver
///        (`resolve(bytes,bytes)` / `findResolver(bytes)` over DNS-encoded names), which is what
///        web3.py's `ens` module calls. Written for Polis tests; no wildcard (ENSIP-10) resolution.

contract PolisENSRegistry {
    struct Record {
        address owner;
        address resolver;
    }

    mapping(bytes32 => Record) private _records;

    event NewOwner(bytes32 indexed node, bytes32 indexed label, address owner);
    event Transfer(bytes32 indexed node, address owner);
    event NewResolver(bytes32 indexed node, address resolver);

    modifier authorised(bytes32 node) {
        require(_records[node].owner == msg.sender, "PolisENS: not the node's owner");
        _;
    }

    constructor() {
        _records[0x0].owner = msg.sender;
    }

    function owner(bytes32 node) external view returns (address) {
        return _records[node].owner;
    }

    function resolver(bytes32 node) external view returns (address) {
        return _records[node].resolver;
    }

    function recordExists(bytes32 node) external view returns (bool) {
        return _records[node].owner != address(0);
    }

    function setOwner(bytes32 node, address newOwner) external authorised(node) {
        _records[node].owner = newOwner;
        emit Transfer(node, newOwner);
    }

    function setSubnodeOwner(bytes32 node, bytes32 label, address newOwner) external authorised(node) returns (bytes32) {
        bytes32 subnode = keccak256(abi.encodePacked(node, label));
        _records[subnode].owner = newOwner;
        emit NewOwner(node, label, newOwner);
        return subnode;
    }

    function setResolver(bytes32 node, address newResolver) external authorised(node) {
        _records[node].resolver = newResolver;
        emit NewResolver(node, newResolver);
    }
}

contract PolisENSResolver {
    PolisENSRegistry public immutable ens;
    address public trustedReverseRegistrar;
    address private immutable _deployer;

    mapping(bytes32 => address) private _addrs;
    mapping(bytes32 => string) private _names;

    event AddrChanged(bytes32 indexed node, address a);
    event NameChanged(bytes32 indexed node, string name);

    constructor(PolisENSRegistry ens_) {
        ens = ens_;
        _deployer = msg.sender;
    }

    function setTrustedReverseRegistrar(address registrar) external {
        require(msg.sender == _deployer && trustedReverseRegistrar == address(0), "PolisENS: already set");
        trustedReverseRegistrar = registrar;
    }

    modifier authorised(bytes32 node) {
        require(msg.sender == ens.owner(node) || msg.sender == trustedReverseRegistrar, "PolisENS: not authorised");
        _;
    }

    function addr(bytes32 node) external view returns (address) {
        return _addrs[node];
    }

    function setAddr(bytes32 node, address a) external authorised(node) {
        _addrs[node] = a;
        emit AddrChanged(node, a);
    }

    function name(bytes32 node) external view returns (string memory) {
        return _names[node];
    }

    function setName(bytes32 node, string calldata newName) external authorised(node) {
        _names[node] = newName;
        emit NameChanged(node, newName);
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == 0x01ffc9a7 // ERC-165
            || interfaceId == 0x3b3b57de // addr(bytes32)
            || interfaceId == 0x691f3431; // name(bytes32)
    }
}

contract PolisReverseRegistrar {
    // namehash("addr.reverse")
    bytes32 public constant ADDR_REVERSE_NODE = 0x91d1777781884d03a6757a803996e38de2a42967fb37eeaca72729271025a9e2;

    PolisENSRegistry public immutable ens;
    PolisENSResolver public immutable defaultResolver;

    event ReverseClaimed(address indexed addr, bytes32 indexed node);

    constructor(PolisENSRegistry ens_, PolisENSResolver resolver_) {
        ens = ens_;
        defaultResolver = resolver_;
    }

    /// The reverse record of the caller: `<hex address>.addr.reverse` → `newName` on the default resolver.
    function setName(string calldata newName) external returns (bytes32) {
        bytes32 label = sha3HexAddress(msg.sender);
        bytes32 reverseNode = ens.setSubnodeOwner(ADDR_REVERSE_NODE, label, address(this));
        ens.setResolver(reverseNode, address(defaultResolver));
        defaultResolver.setName(reverseNode, newName);
        ens.setOwner(reverseNode, msg.sender);
        emit ReverseClaimed(msg.sender, reverseNode);
        return reverseNode;
    }

    function node(address a) external pure returns (bytes32) {
        return keccak256(abi.encodePacked(ADDR_REVERSE_NODE, sha3HexAddress(a)));
    }

    function sha3HexAddress(address a) public pure returns (bytes32 ret) {
        bytes memory hexChars = "0123456789abcdef";
        bytes memory out = new bytes(40);
        uint160 v = uint160(a);
        for (uint256 i = 40; i > 0; --i) {
            out[i - 1] = hexChars[v & 0xf];
            v >>= 4;
        }
        ret = keccak256(out);
    }
}

contract PolisUniversalResolver {
    PolisENSRegistry public immutable registry;

    error ResolverNotFound(bytes name);
    error ResolverError(bytes returnData);

    constructor(PolisENSRegistry registry_) {
        registry = registry_;
    }

    /// The resolver of a DNS-encoded name, the name's node and the offset of the label it was found at.
    function findResolver(bytes calldata name) public view returns (address, bytes32, uint256) {
        uint256[] memory starts = new uint256[](name.length + 1);
        uint256 n;
        uint256 i;
        while (i < name.length && uint8(name[i]) != 0) {
            starts[n++] = i;
            i += uint8(name[i]) + 1;
        }
        require(i < name.length, "PolisENS: malformed DNS name");
        bytes32[] memory nodes = new bytes32[](n + 1);
        for (uint256 k = n; k > 0; --k) {
            uint256 s = starts[k - 1];
            bytes32 labelHash = keccak256(name[s + 1:s + 1 + uint8(name[s])]);
            nodes[k - 1] = keccak256(abi.encodePacked(nodes[k], labelHash));
        }
        for (uint256 k = 0; k < n; ++k) {
            address r = registry.resolver(nodes[k]);
            if (r != address(0)) {
                return (r, nodes[0], starts[k]);
            }
        }
        return (address(0), nodes[0], 0);
    }

    function resolve(bytes calldata name, bytes calldata data) external view returns (bytes memory, address) {
        (address r,, uint256 offset) = findResolver(name);
        if (r == address(0) || offset != 0) {
            revert ResolverNotFound(name); // no wildcard resolution here
        }
        (bool ok, bytes memory ret) = r.staticcall(data);
        if (!ok) {
            revert ResolverError(ret);
        }
        return (ret, r);
    }
}
