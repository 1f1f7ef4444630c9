//! Where credentials come from: arguments, then the environment, then the official
//! CLI's auth file, which must be private.

use std::path::{Path, PathBuf};

use tiktalik::credentials::{CredentialSource, CredentialSources};

const SECRET_A: &str = "c2VjcmV0LWE="; // "secret-a"
const SECRET_B: &str = "c2VjcmV0LWI=";
const SECRET_C: &str = "c2VjcmV0LWM=";

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("tiktalik-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn auth_file(&self, text: &str, mode: u32) -> PathBuf {
        let path = self.0.join("auth");
        std::fs::write(&path, text).unwrap();
        set_mode(&path, mode);
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) {}

fn env(vars: &[(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> + 'static {
    let vars = vars.to_vec();
    move |name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }
}

#[test]
fn arguments_then_environment_then_file() {
    let dir = TempDir::new("precedence");
    let file = dir.auth_file("[main]\nkey=FILEKEY\nsecret=c2VjcmV0LWQ=\n", 0o600);
    let all_env = [
        ("TIKTALIK_API_KEY", "APIKEY"),
        ("TIKTALIK_API_SECRET", SECRET_A),
        ("TIKTALIK_KEY", "JSKEY"),
        ("TIKTALIK_SECRET", SECRET_B),
    ];
    let sources = || CredentialSources::new().auth_file(&file);

    let found = sources()
        .explicit("ARGKEY", SECRET_C)
        .env_lookup(env(&all_env))
        .resolve()
        .unwrap();
    assert_eq!(
        (found.credentials.api_key(), &found.source),
        ("ARGKEY", &CredentialSource::Explicit)
    );

    let found = sources().env_lookup(env(&all_env)).resolve().unwrap();
    assert_eq!(found.credentials.api_key(), "APIKEY");
    assert_eq!(
        found.source.to_string(),
        "TIKTALIK_API_KEY and TIKTALIK_API_SECRET"
    );

    let found = sources().env_lookup(env(&all_env[2..])).resolve().unwrap();
    assert_eq!(found.credentials.api_key(), "JSKEY");

    let found = sources().env_lookup(env(&[])).resolve().unwrap();
    assert_eq!(found.credentials.api_key(), "FILEKEY");
    assert_eq!(found.source, CredentialSource::File(file.clone()));
}

#[test]
fn the_default_file_is_under_home_or_named_by_the_environment() {
    let dir = TempDir::new("home");
    std::fs::create_dir_all(dir.0.join(".tiktalik")).unwrap();
    let path = dir.0.join(".tiktalik").join("auth");
    std::fs::write(
        &path,
        "# written by the CLI\n[other]\nkey=NO\n[main]\nkey = HOMEKEY\nsecret = c2VjcmV0\n",
    )
    .unwrap();
    set_mode(&path, 0o600);
    let home: &'static str = Box::leak(dir.0.to_string_lossy().into_owned().into_boxed_str());
    let found = CredentialSources::new()
        .env_lookup(env(&[("HOME", home)]))
        .resolve()
        .unwrap();
    assert_eq!(found.credentials.api_key(), "HOMEKEY");

    let other = dir.auth_file("[main]\nkey=ENVFILE\nsecret=c2VjcmV0\n", 0o600);
    let other: &'static str = Box::leak(other.to_string_lossy().into_owned().into_boxed_str());
    let found = CredentialSources::new()
        .env_lookup(env(&[("HOME", home), ("TIKTALIK_AUTH_FILE", other)]))
        .resolve()
        .unwrap();
    assert_eq!(found.credentials.api_key(), "ENVFILE");
}

#[cfg(unix)]
#[test]
fn a_file_others_can_read_is_refused() {
    let dir = TempDir::new("mode");
    for mode in [0o644, 0o640, 0o604, 0o660] {
        let file = dir.auth_file("[main]\nkey=K\nsecret=c2VjcmV0\n", mode);
        let err = CredentialSources::new()
            .auth_file(&file)
            .env_lookup(env(&[]))
            .resolve()
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains(&format!("mode {mode:03o}")), "{text}");
        assert!(text.contains("chmod 600"), "{text}");
        assert!(
            !text.contains("c2VjcmV0"),
            "the secret stays out of errors: {text}"
        );
    }
    let file = dir.auth_file("[main]\nkey=K\nsecret=c2VjcmV0\n", 0o400);
    assert!(
        CredentialSources::new()
            .auth_file(&file)
            .env_lookup(env(&[]))
            .resolve()
            .is_ok()
    );
}

#[test]
fn missing_or_partial_credentials_say_where_they_looked() {
    let dir = TempDir::new("missing");
    let nothing = dir.0.join("no-such-auth");
    let err = CredentialSources::new()
        .auth_file(&nothing)
        .env_lookup(env(&[]))
        .resolve()
        .unwrap_err();
    let text = err.to_string();
    for place in [
        "arguments (none given)",
        "TIKTALIK_API_KEY and TIKTALIK_API_SECRET (not set)",
        "TIKTALIK_KEY and TIKTALIK_SECRET (not set)",
        "no-such-auth (no such file)",
    ] {
        assert!(text.contains(place), "{place:?} missing from: {text}");
    }

    let err = CredentialSources::new()
        .auth_file(&nothing)
        .env_lookup(env(&[("TIKTALIK_KEY", "K")]))
        .resolve()
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("only one of TIKTALIK_KEY and TIKTALIK_SECRET"),
        "{err}"
    );

    let file = dir.auth_file("[main]\nkey=K\n", 0o600);
    let err = CredentialSources::new()
        .auth_file(&file)
        .env_lookup(env(&[]))
        .resolve()
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("no [main] section with both key= and secret="),
        "{err}"
    );

    let err = CredentialSources::new()
        .explicit("K", "not base64!")
        .resolve()
        .unwrap_err();
    assert!(err.to_string().contains("not valid base64"), "{err}");
    let debug = format!("{:?}", CredentialSources::new().explicit("K", SECRET_A));
    assert!(!debug.contains(SECRET_A), "{debug}");
}
