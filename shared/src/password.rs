//! Password rules after current guidance (NIST SP 800-63B): long enough, not absurdly long, and
//! not one that attackers try first. No composition rules: they make passwords worse.

/// The shortest password accepted.
pub const MIN_LEN: usize = 8;
/// The longest (hashing cost stays bounded).
pub const MAX_LEN: usize = 128;

/// Passwords tried first in guessing attacks, Russian habits included (lower-cased).
const COMMON: &[&str] = &[
    "12345678",
    "123456789",
    "1234567890",
    "12345678910",
    "123123123",
    "11111111",
    "00000000",
    "87654321",
    "11223344",
    "12341234",
    "12344321",
    "1q2w3e4r",
    "1q2w3e4r5t",
    "1qaz2wsx",
    "1qaz2wsx3edc",
    "qwertyui",
    "qwertyuiop",
    "qwerty123",
    "qwerty12",
    "qwerty1234",
    "asdfghjk",
    "asdfghjkl",
    "zxcvbnm1",
    "password",
    "password1",
    "password123",
    "passw0rd",
    "p@ssw0rd",
    "iloveyou",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "superman",
    "starwars",
    "whatever",
    "trustno1",
    "welcome1",
    "abc12345",
    "abcd1234",
    "admin123",
    "administrator",
    "changeme",
    "letmein1",
    "monkey123",
    "dragon12",
    "michael1",
    "computer",
    "internet",
    "qazwsxedc",
    "zaq12wsx",
    "q1w2e3r4",
    "q1w2e3r4t5",
    "a1b2c3d4",
    "aa123456",
    "1234qwer",
    "qwer1234",
    "pass1234",
    "test1234",
    "user1234",
    "default1",
    "welcome123",
    "пароль",
    "пароль1",
    "пароль123",
    "пароль12345",
    "йцукенгш",
    "йцукенгшщз",
    "фывапролд",
    "ячсмитьб",
    "привет123",
    "любовь123",
    "солнышко",
    "кукушка1",
    "москва123",
    "россия123",
    "учитель1",
    "учитель123",
    "школа123",
    "педагог1",
    "gfhjkm123",
    "gfhjkmgfhjkm",
    "demo12345",
    "iom12345",
    "teacher1",
    "teacher123",
    "school123",
    "student1",
];

/// Why a password is refused, in Russian; `None` when it is acceptable.
pub fn problem(password: &str, email: Option<&str>) -> Option<String> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Some(format!("Пароль должен быть не короче {MIN_LEN} символов."));
    }
    if len > MAX_LEN {
        return Some(format!("Пароль должен быть не длиннее {MAX_LEN} символов."));
    }
    let lower = password.to_lowercase();
    if COMMON.contains(&lower.as_str()) {
        return Some("Этот пароль слишком распространён: придумайте другой.".into());
    }
    let mut chars = lower.chars();
    if let Some(first) = chars.next()
        && chars.all(|c| c == first)
    {
        return Some("Пароль из одного повторяющегося символа слишком прост.".into());
    }
    if is_sequence(&lower) {
        return Some("Последовательность символов подряд слишком проста.".into());
    }
    if let Some(local) = email
        .and_then(|e| e.split('@').next())
        .map(str::to_lowercase)
        && local.len() >= 4
        && lower.contains(&local)
    {
        return Some("Пароль не должен содержать адрес электронной почты.".into());
    }
    None
}

/// Whether the password is a run of consecutive characters (`12345678`, `abcdefgh`).
fn is_sequence(s: &str) -> bool {
    let codes: Vec<u32> = s.chars().map(u32::from).collect();
    codes.len() >= MIN_LEN
        && (codes.windows(2).all(|w| w[1] == w[0] + 1)
            || codes.windows(2).all(|w| w[0] == w[1] + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_long_and_common_passwords_are_refused_with_a_reason() {
        assert!(problem("short", None).unwrap().contains("не короче 8"));
        assert!(problem(&"x".repeat(129), None).is_some());
        assert!(
            problem("Password1", None)
                .unwrap()
                .contains("распространён")
        );
        assert!(problem("ЙЦУКЕНГШ", None).is_some());
        assert!(problem("aaaaaaaaaa", None).is_some());
        assert!(problem("abcdefghij", None).is_some());
        assert!(problem("98765432", None).is_some());
        assert!(problem("ivanova-2026", Some("ivanova@school.ru")).is_some());
    }

    #[test]
    fn long_passphrases_of_any_alphabet_are_accepted() {
        assert_eq!(problem("зелёный чайник на окне", None), None);
        assert_eq!(
            problem("correct horse battery", Some("teacher@iom.test")),
            None
        );
        assert_eq!(problem("Vd7#kq!mZ", None), None);
    }
}
