//! Links people type (an event's page, a product's publication) and the SPA shows as `href`s.
//! One rule for the server, which refuses anything else with 422, and for the SPA, whose form
//! checks with it and whose one link component renders nothing else as a link: an absolute
//! `http` or `https` address with a host and no credentials. `javascript:`, `data:` and the
//! like never become links.

/// The longest link stored.
pub const MAX_LEN: usize = 2000;

/// Why a text is not a link that may be stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkProblem {
    /// Not an absolute address (`www.example.ru`, `/page`, text).
    NotAbsolute,
    /// Another scheme than http and https (`javascript:`, `data:`, `file:`, `ftp:`…).
    Scheme,
    /// A user name or password in the address (`https://bank.ru@evil.example/`).
    Credentials,
    TooLong,
}

impl LinkProblem {
    pub fn message_ru(self) -> &'static str {
        match self {
            LinkProblem::NotAbsolute => "Укажите адрес ссылки полностью, начиная с https://",
            LinkProblem::Scheme => "Допустимы только ссылки http:// и https://",
            LinkProblem::Credentials => "Ссылка не должна содержать имя пользователя или пароль",
            LinkProblem::TooLong => "Не более 2000 символов",
        }
    }
}

/// The address, if `text` is a link that may be stored and shown.
pub fn parse(text: &str) -> Result<url::Url, LinkProblem> {
    let text = text.trim();
    if text.chars().count() > MAX_LEN {
        return Err(LinkProblem::TooLong);
    }
    let url = url::Url::parse(text).map_err(|_| LinkProblem::NotAbsolute)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(LinkProblem::Scheme);
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(LinkProblem::NotAbsolute);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(LinkProblem::Credentials);
    }
    Ok(url)
}

/// Whether `text` may be rendered as a link.
pub fn is_web_link(text: &str) -> bool {
    parse(text).is_ok()
}

/// The validator of optional link fields: blank means "no link" and passes.
pub fn validate(text: &str) -> Result<(), validator::ValidationError> {
    if text.trim().is_empty() {
        return Ok(());
    }
    parse(text).map(|_| ()).map_err(|p| {
        let mut e = validator::ValidationError::new("web_link");
        e.message = Some(p.message_ru().into());
        e
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_http_and_https_addresses_are_links() {
        for ok in [
            "https://iro.example.ru/events/12?x=1#a",
            "http://школа.рф/страница",
            "  https://example.org  ",
            "HTTPS://EXAMPLE.ORG/",
        ] {
            assert!(parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn script_data_and_other_schemes_are_refused_however_disguised() {
        for bad in [
            "javascript:alert(document.cookie)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "\u{0001}javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "file:///etc/passwd",
            "ftp://example.org/",
        ] {
            assert_eq!(parse(bad).err(), Some(LinkProblem::Scheme), "{bad:?}");
            assert!(!is_web_link(bad));
        }
    }

    #[test]
    fn relative_addresses_credentials_and_overlong_links_are_refused() {
        assert_eq!(
            parse("www.example.ru").err(),
            Some(LinkProblem::NotAbsolute)
        );
        assert_eq!(parse("/admin").err(), Some(LinkProblem::NotAbsolute));
        assert_eq!(
            parse("//evil.example/").err(),
            Some(LinkProblem::NotAbsolute)
        );
        assert_eq!(
            parse("https://bank.ru@evil.example/").err(),
            Some(LinkProblem::Credentials)
        );
        let long = format!("https://example.org/{}", "a".repeat(MAX_LEN));
        assert_eq!(parse(&long).err(), Some(LinkProblem::TooLong));
    }

    #[test]
    fn the_validator_lets_blank_through_and_explains_in_russian() {
        assert!(validate("").is_ok() && validate("   ").is_ok());
        let e = validate("javascript:alert(1)").unwrap_err();
        assert_eq!(
            e.message.as_deref(),
            Some("Допустимы только ссылки http:// и https://")
        );
    }
}
