"""Cosmos SDK family: gov v1/v1beta1 and staking over the REST (LCD) API, signed SIGN_MODE_DIRECT."""
