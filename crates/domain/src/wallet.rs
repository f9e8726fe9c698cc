//! Wallets: where a partner wants to be paid (W1). A partner keeps several, one of them
//! the default; each is one of four kinds, and each kind's details are validated here,
//! once, so that what is stored is always payable:
//!
//! - PayPal: the account's email address;
//! - bank transfer: the holder's name, the IBAN (with its checksum, [`iban`]) and the BIC;
//! - crypto: a network the program offers and an address of that network's shape
//!   ([`crypto`]);
//! - product account: the partner's account with the vendor, in the address format the
//!   program configures (`https://{name}.vendor.example`, as in Worksection's program),
//!   credited by the vendor with a bonus (W4).
//!
//! Account numbers are shown whole only to their owner and to finance; everyone else
//! sees [`WalletDetails::masked`].

pub mod crypto;
pub mod iban;

use thiserror::Error;

use crate::email::Email;
use crate::error::{FieldErrors, Validator};
use crypto::CryptoNetwork;
use iban::{Bic, Iban};

/// The four kinds of wallet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WalletKind {
    Paypal,
    BankTransfer,
    Crypto,
    ProductAccount,
}

impl WalletKind {
    pub const ALL: [Self; 4] = [
        Self::Paypal,
        Self::BankTransfer,
        Self::Crypto,
        Self::ProductAccount,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Paypal => "paypal",
            Self::BankTransfer => "bank_transfer",
            Self::Crypto => "crypto",
            Self::ProductAccount => "product_account",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// A wallet's validated details, one variant per kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalletDetails {
    Paypal {
        email: Email,
    },
    BankTransfer {
        holder: String,
        iban: Iban,
        bic: Bic,
    },
    Crypto {
        network: CryptoNetwork,
        address: String,
    },
    ProductAccount {
        address: String,
    },
}

/// What a partner typed for a wallet, before validation: the API's request fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WalletInput<'a> {
    pub kind: &'a str,
    pub email: Option<&'a str>,
    pub holder: Option<&'a str>,
    pub iban: Option<&'a str>,
    pub bic: Option<&'a str>,
    pub network: Option<&'a str>,
    pub address: Option<&'a str>,
}

/// What the program allows: the crypto networks finance pays through and the format of
/// a product account's address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WalletRules {
    pub networks: Vec<CryptoNetwork>,
    pub product_account: Option<ProductAccountFormat>,
}

/// Longest account holder's name.
pub const MAX_HOLDER_LEN: usize = 140;

impl WalletDetails {
    /// Validates `input` under `rules`; every bad field is reported at once.
    pub fn parse(input: &WalletInput<'_>, rules: &WalletRules) -> Result<Self, FieldErrors> {
        let mut v = Validator::new();
        let Some(kind) = WalletKind::parse(input.kind) else {
            v.add(
                "kind",
                "Choose PayPal, bank transfer, crypto or product account.",
            );
            return Err(v.finish().expect_err("an error was added"));
        };
        let details = match kind {
            WalletKind::Paypal => v
                .check("email", Email::parse(input.email.unwrap_or_default()))
                .map(|email| Self::Paypal { email }),
            WalletKind::BankTransfer => {
                let holder = match input.holder.map(str::trim).filter(|s| !s.is_empty()) {
                    None => {
                        v.add("holder", "Enter the account holder's name.");
                        None
                    }
                    Some(h) if h.chars().count() > MAX_HOLDER_LEN => {
                        v.add(
                            "holder",
                            format!("A holder's name has at most {MAX_HOLDER_LEN} characters."),
                        );
                        None
                    }
                    Some(h) => Some(h.to_owned()),
                };
                let iban = v.check("iban", Iban::parse(input.iban.unwrap_or_default()));
                let bic = v.check("bic", Bic::parse(input.bic.unwrap_or_default()));
                match (holder, iban, bic) {
                    (Some(holder), Some(iban), Some(bic)) => {
                        Some(Self::BankTransfer { holder, iban, bic })
                    }
                    _ => None,
                }
            }
            WalletKind::Crypto => {
                let network = input
                    .network
                    .and_then(CryptoNetwork::parse)
                    .filter(|n| rules.networks.contains(n));
                match network {
                    None => {
                        let offered: Vec<_> = rules.networks.iter().map(|n| n.label()).collect();
                        v.add(
                            "network",
                            if offered.is_empty() {
                                "This program does not pay in crypto.".to_owned()
                            } else {
                                format!("Choose one of: {}.", offered.join(", "))
                            },
                        );
                        None
                    }
                    Some(network) => v
                        .check(
                            "address",
                            network.check_address(input.address.unwrap_or_default()),
                        )
                        .map(|address| Self::Crypto { network, address }),
                }
            }
            WalletKind::ProductAccount => match &rules.product_account {
                None => {
                    v.add("kind", "This program does not pay to product accounts.");
                    None
                }
                Some(format) => v
                    .check("address", format.check(input.address.unwrap_or_default()))
                    .map(|address| Self::ProductAccount { address }),
            },
        };
        v.finish()?;
        Ok(details.expect("no field error means every part parsed"))
    }

    pub fn kind(&self) -> WalletKind {
        match self {
            Self::Paypal { .. } => WalletKind::Paypal,
            Self::BankTransfer { .. } => WalletKind::BankTransfer,
            Self::Crypto { .. } => WalletKind::Crypto,
            Self::ProductAccount { .. } => WalletKind::ProductAccount,
        }
    }

    /// One line for lists and emails, with the account number masked.
    pub fn masked(&self) -> String {
        match self {
            Self::Paypal { email } => {
                let (local, domain) = email.as_str().split_once('@').unwrap_or(("", ""));
                let first: String = local.chars().take(1).collect();
                format!("{first}•••@{domain}")
            }
            Self::BankTransfer { iban, .. } => iban.masked(),
            Self::Crypto { address, .. } => {
                let count = address.chars().count();
                let head: String = address.chars().take(4).collect();
                let tail: String = address.chars().skip(count.saturating_sub(4)).collect();
                format!("{head}…{tail}")
            }
            Self::ProductAccount { address } => address.clone(),
        }
    }
}

/// Why a product account's address is not in the program's format.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProductAccountError {
    #[error("Enter your account's address, like {example}.")]
    Empty { example: String },
    #[error("Enter your account's address in the form {example}.")]
    Format { example: String },
}

/// The shape of a product account's address: a template with one `{name}`, where the
/// name is what the vendor lets customers choose (letters, digits and inner hyphens, at
/// most 63, as a DNS label).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductAccountFormat {
    prefix: String,
    suffix: String,
}

impl ProductAccountFormat {
    /// `template` must hold `{name}` exactly once.
    pub fn parse(template: &str) -> Option<Self> {
        let template = template.trim().to_ascii_lowercase();
        let (prefix, suffix) = template.split_once("{name}")?;
        if suffix.contains("{name}") || (prefix.is_empty() && suffix.is_empty()) {
            return None;
        }
        Some(Self {
            prefix: prefix.to_owned(),
            suffix: suffix.to_owned(),
        })
    }

    /// The template, for forms and messages.
    pub fn example(&self) -> String {
        format!("{}yourname{}", self.prefix, self.suffix)
    }

    /// The normalised address (trimmed, lower case, no trailing `/`).
    pub fn check(&self, raw: &str) -> Result<String, ProductAccountError> {
        let address = raw.trim().trim_end_matches('/').to_ascii_lowercase();
        if address.is_empty() {
            return Err(ProductAccountError::Empty {
                example: self.example(),
            });
        }
        let name = address
            .strip_prefix(&self.prefix)
            .and_then(|rest| rest.strip_suffix(&self.suffix));
        let label_ok = |n: &str| {
            (1..=63).contains(&n.len())
                && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !n.starts_with('-')
                && !n.ends_with('-')
        };
        match name {
            Some(n) if label_ok(n) => Ok(address),
            _ => Err(ProductAccountError::Format {
                example: self.example(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> WalletRules {
        WalletRules {
            networks: vec![CryptoNetwork::Tron, CryptoNetwork::Ethereum],
            product_account: ProductAccountFormat::parse("https://{name}.worksection.com"),
        }
    }

    #[test]
    fn each_kind_parses_its_own_fields() {
        let paypal = WalletDetails::parse(
            &WalletInput {
                kind: "paypal",
                email: Some(" Ada@Example.com "),
                ..Default::default()
            },
            &rules(),
        )
        .expect("paypal");
        assert_eq!(paypal.kind(), WalletKind::Paypal);
        assert_eq!(paypal.masked(), "a•••@example.com");

        let bank = WalletDetails::parse(
            &WalletInput {
                kind: "bank_transfer",
                holder: Some("Ada Lovelace"),
                iban: Some("DE89 3704 0044 0532 0130 00"),
                bic: Some("COBADEFFXXX"),
                ..Default::default()
            },
            &rules(),
        )
        .expect("bank");
        assert_eq!(bank.masked(), "DE•• •••• •••• •••• ••30 00");

        let crypto = WalletDetails::parse(
            &WalletInput {
                kind: "crypto",
                network: Some("tron"),
                address: Some("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"),
                ..Default::default()
            },
            &rules(),
        )
        .expect("crypto");
        assert_eq!(crypto.masked(), "TR7N…Lj6t");

        let account = WalletDetails::parse(
            &WalletInput {
                kind: "product_account",
                address: Some("HTTPS://Ada-Team.worksection.com/"),
                ..Default::default()
            },
            &rules(),
        )
        .expect("account");
        assert_eq!(
            account,
            WalletDetails::ProductAccount {
                address: "https://ada-team.worksection.com".into()
            }
        );
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let errors = WalletDetails::parse(
            &WalletInput {
                kind: "bank_transfer",
                holder: Some(" "),
                iban: Some("DE88 3704 0044 0532 0130 00"),
                bic: Some("COBA"),
                ..Default::default()
            },
            &rules(),
        )
        .expect_err("three bad fields");
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["bic", "holder", "iban"]);
        let errors = WalletDetails::parse(
            &WalletInput {
                kind: "cheque",
                ..Default::default()
            },
            &rules(),
        )
        .expect_err("unknown kind");
        assert!(errors.contains_key("kind"));
    }

    #[test]
    fn only_the_programs_networks_and_account_format_are_accepted() {
        let bitcoin = WalletInput {
            kind: "crypto",
            network: Some("bitcoin"),
            address: Some("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
            ..Default::default()
        };
        let errors = WalletDetails::parse(&bitcoin, &rules()).expect_err("not offered");
        assert_eq!(errors["network"], "Choose one of: Tron, Ethereum.");
        let none = WalletRules::default();
        let errors = WalletDetails::parse(&bitcoin, &none).expect_err("no crypto");
        assert_eq!(errors["network"], "This program does not pay in crypto.");
        let wrong_shape = WalletInput {
            kind: "crypto",
            network: Some("ethereum"),
            address: Some("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"),
            ..Default::default()
        };
        let errors = WalletDetails::parse(&wrong_shape, &rules()).expect_err("shape");
        assert!(errors["address"].contains("Ethereum"));

        let account = |address| WalletInput {
            kind: "product_account",
            address: Some(address),
            ..Default::default()
        };
        for bad in [
            "https://worksection.com",
            "https://ada.evil.example",
            "https://-ada.worksection.com",
            "https://a.b.worksection.com",
            "http://ada.worksection.com",
        ] {
            let errors = WalletDetails::parse(&account(bad), &rules()).expect_err(bad);
            assert_eq!(
                errors["address"],
                "Enter your account's address in the form https://yourname.worksection.com."
            );
        }
        let errors = WalletDetails::parse(&account("https://ada.worksection.com"), &none)
            .expect_err("no product accounts");
        assert!(errors.contains_key("kind"));
    }

    #[test]
    fn a_template_needs_one_name() {
        assert!(ProductAccountFormat::parse("https://vendor.example").is_none());
        assert!(ProductAccountFormat::parse("{name}").is_none());
        assert!(ProductAccountFormat::parse("https://{name}.{name}.example").is_none());
        assert!(ProductAccountFormat::parse("https://app.example/{name}").is_some());
    }
}
