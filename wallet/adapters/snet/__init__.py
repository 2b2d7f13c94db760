"""SingularityNET family: the AGIX TokenStake contract's stake windows, built on the EVM client."""
