//! Sharing a link: a message the partner may edit, and buttons that open the share page
//! of Facebook, X, WhatsApp or Telegram in a new tab with the link and the message.

use leptos::prelude::*;

use crate::components::form::TextAreaField;

/// Where a link can be shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Network {
    Facebook,
    X,
    WhatsApp,
    Telegram,
}

impl Network {
    /// Every network, in the order the buttons are shown.
    pub(crate) const ALL: [Network; 4] = [
        Network::Facebook,
        Network::X,
        Network::WhatsApp,
        Network::Telegram,
    ];

    /// The network's name, on its button.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Network::Facebook => "Facebook",
            Network::X => "X",
            Network::WhatsApp => "WhatsApp",
            Network::Telegram => "Telegram",
        }
    }

    /// The network's share page for `url` with `message`. Facebook takes only the link;
    /// X and Telegram take the link and a text, so the message goes without the link;
    /// WhatsApp takes one text, so it carries the link.
    pub(crate) fn share_url(self, url: &str, message: &str) -> String {
        let url_param = encode_component(url);
        match self {
            Network::Facebook => {
                format!("https://www.facebook.com/sharer/sharer.php?u={url_param}")
            }
            Network::X => format!(
                "https://twitter.com/intent/tweet?text={}&url={url_param}",
                encode_component(&without_link(message, url))
            ),
            Network::WhatsApp => format!(
                "https://wa.me/?text={}",
                encode_component(&with_link(message, url))
            ),
            Network::Telegram => format!(
                "https://t.me/share/url?url={url_param}&text={}",
                encode_component(&without_link(message, url))
            ),
        }
    }
}

/// The message with the link taken out (the network adds it).
fn without_link(message: &str, url: &str) -> String {
    message
        .replace(url, " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The message with the link in it: as written when it has it, else with the link after.
fn with_link(message: &str, url: &str) -> String {
    let message = message.trim();
    if message.contains(url) {
        message.to_owned()
    } else if message.is_empty() {
        url.to_owned()
    } else {
        format!("{message} {url}")
    }
}

/// Percent-encodes a query value as `encodeURIComponent` does: everything but letters,
/// digits and `-_.!~*'()` as `%XX` of its UTF-8 bytes.
pub(crate) fn encode_component(raw: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(raw.len());
    for byte in raw.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 15)]));
        }
    }
    out
}

/// The message and one button per network.
#[component]
pub(super) fn ShareLink(
    /// The link's address.
    url: String,
    /// The link's program, named in the first message.
    program: String,
) -> impl IntoView {
    let message = RwSignal::new(format!("Try {program}: {url}"));
    let url = StoredValue::new(url);
    let buttons = Network::ALL
        .into_iter()
        .map(|network| {
            let href = move || url.with_value(|url| message.with(|m| network.share_url(url, m)));
            view! {
                <a
                    class="button button-quiet button-small"
                    href=href
                    target="_blank"
                    rel="noopener"
                    aria-label=format!("Share on {}", network.name())
                >
                    {network.name()}
                </a>
            }
        })
        .collect_view();
    view! {
        <TextAreaField
            id="share-message"
            label="Message"
            value=message
            error=Signal::stored(None::<String>)
            hint="Sent with the link; change it as you like."
            rows=3
        />
        <div class="action-row share-buttons">{buttons}</div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://partners.example.com/r/jane-doe";

    #[test]
    fn values_are_encoded_like_encode_uri_component() {
        assert_eq!(
            encode_component("Try it: https://x.example/r/a?b=1&c"),
            "Try%20it%3A%20https%3A%2F%2Fx.example%2Fr%2Fa%3Fb%3D1%26c"
        );
        assert_eq!(encode_component("Café (new)!"), "Caf%C3%A9%20(new)!");
    }

    #[test]
    fn each_network_gets_the_link_and_the_message_its_way() {
        let message = format!("Try Referral program: {URL}");
        let link = encode_component(URL);
        assert_eq!(
            Network::Facebook.share_url(URL, &message),
            format!("https://www.facebook.com/sharer/sharer.php?u={link}")
        );
        assert_eq!(
            Network::X.share_url(URL, &message),
            format!("https://twitter.com/intent/tweet?text=Try%20Referral%20program%3A&url={link}")
        );
        assert_eq!(
            Network::Telegram.share_url(URL, &message),
            format!("https://t.me/share/url?url={link}&text=Try%20Referral%20program%3A")
        );
        assert_eq!(
            Network::WhatsApp.share_url(URL, &message),
            format!("https://wa.me/?text={}", encode_component(&message))
        );
        // A message without the link still carries it on WhatsApp.
        assert_eq!(
            Network::WhatsApp.share_url(URL, "Look"),
            format!("https://wa.me/?text=Look%20{link}")
        );
    }
}
