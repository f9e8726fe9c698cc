//! Crypto wallets (W1): the networks Partnerly knows the address format of. A program
//! offers the ones its finance team pays through (configured); an address is checked
//! against its network's format before it is stored, so a payout is never sent to a
//! string that cannot be an address there. The checks are of shape (alphabet, prefix,
//! length), not of the network's own checksum: a mistyped address that keeps its shape
//! is caught by the network's wallet software when finance pays.

use serde::{Deserialize, Serialize};
use thiserror::Error;
use utoipa::ToSchema;

/// A network crypto payouts can be sent on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CryptoNetwork {
    /// Bitcoin: legacy (`1…`, `3…`) or SegWit (`bc1…`) addresses.
    Bitcoin,
    /// Ethereum and its tokens (USDT-ERC20, USDC): `0x` and 40 hex digits.
    Ethereum,
    /// Tron and its tokens (USDT-TRC20): `T` and 33 base58 characters.
    Tron,
}

const BASE58: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const BECH32: &str = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/// Why an address cannot be one on its network.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CryptoAddressError {
    #[error("Enter the wallet address.")]
    Empty,
    #[error("This is not a {network} address: {hint}.")]
    Format {
        network: &'static str,
        hint: &'static str,
    },
}

impl CryptoNetwork {
    pub const ALL: [Self; 3] = [Self::Bitcoin, Self::Ethereum, Self::Tron];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bitcoin => "bitcoin",
            Self::Ethereum => "ethereum",
            Self::Tron => "tron",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.as_str() == raw)
    }

    /// The name people know it by.
    pub fn label(self) -> &'static str {
        match self {
            Self::Bitcoin => "Bitcoin",
            Self::Ethereum => "Ethereum",
            Self::Tron => "Tron",
        }
    }

    /// The trimmed address when it has this network's shape.
    pub fn check_address(self, raw: &str) -> Result<String, CryptoAddressError> {
        let address = raw.trim();
        if address.is_empty() {
            return Err(CryptoAddressError::Empty);
        }
        let all_in = |s: &str, alphabet: &str| s.chars().all(|c| alphabet.contains(c));
        let (ok, hint) = match self {
            Self::Bitcoin => {
                let lower = address.to_ascii_lowercase();
                let segwit = lower.strip_prefix("bc1").is_some_and(|rest| {
                    (39..=59).contains(&address.len())
                        && all_in(rest, BECH32)
                        && (address == lower || address == address.to_ascii_uppercase())
                });
                let legacy = address.starts_with(['1', '3'])
                    && (26..=35).contains(&address.len())
                    && all_in(address, BASE58);
                (
                    segwit || legacy,
                    "it starts with 1, 3 or bc1 and has 26 to 59 characters",
                )
            }
            Self::Ethereum => (
                address.len() == 42
                    && address.starts_with("0x")
                    && address[2..].chars().all(|c| c.is_ascii_hexdigit()),
                "it is 0x followed by 40 hexadecimal digits",
            ),
            Self::Tron => (
                address.len() == 34 && address.starts_with('T') && all_in(address, BASE58),
                "it is T followed by 33 letters and digits",
            ),
        };
        if ok {
            Ok(address.to_owned())
        } else {
            Err(CryptoAddressError::Format {
                network: self.label(),
                hint,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_addresses_pass() {
        let cases = [
            (CryptoNetwork::Bitcoin, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
            (CryptoNetwork::Bitcoin, "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"),
            (
                CryptoNetwork::Bitcoin,
                "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            ),
            (
                CryptoNetwork::Ethereum,
                "0xde0B295669a9FD93d5F28D9Ec85E40f4cb697BAe",
            ),
            (CryptoNetwork::Tron, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"),
        ];
        for (network, address) in cases {
            let padded = format!("  {address} ");
            assert_eq!(network.check_address(&padded).as_deref(), Ok(address));
        }
    }

    #[test]
    fn wrong_shapes_are_refused_with_the_network_named() {
        let cases = [
            (CryptoNetwork::Bitcoin, "0A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
            (CryptoNetwork::Bitcoin, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfN0"),
            (
                CryptoNetwork::Bitcoin,
                "bc1qAr0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            ),
            (
                CryptoNetwork::Bitcoin,
                "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdb",
            ),
            (
                CryptoNetwork::Ethereum,
                "de0B295669a9FD93d5F28D9Ec85E40f4cb697BAe00",
            ),
            (
                CryptoNetwork::Ethereum,
                "0xde0B295669a9FD93d5F28D9Ec85E40f4cb697BA",
            ),
            (
                CryptoNetwork::Ethereum,
                "0xde0B295669a9FD93d5F28D9Ec85E40f4cb697BAg",
            ),
            (
                CryptoNetwork::Tron,
                "0xde0B295669a9FD93d5F28D9Ec85E40f4cb697BAe",
            ),
            (CryptoNetwork::Tron, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6"),
            (CryptoNetwork::Tron, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj60"),
        ];
        for (network, address) in cases {
            let error = network.check_address(address).expect_err(address);
            assert!(error.to_string().contains(network.label()), "{error}");
        }
        assert_eq!(
            CryptoNetwork::Tron.check_address(" "),
            Err(CryptoAddressError::Empty)
        );
    }

    #[test]
    fn names_round_trip() {
        for network in CryptoNetwork::ALL {
            assert_eq!(CryptoNetwork::parse(network.as_str()), Some(network));
        }
        assert_eq!(CryptoNetwork::parse("dogecoin"), None);
    }
}
