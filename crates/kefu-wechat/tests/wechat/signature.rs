use kefu_wechat::{SignatureError, sign, signature_matches, verify_signature, verify_url};
use sha1::{Digest, Sha1};

/// A published example of the plain-mode check (token `Topevery`).
#[test]
fn published_official_account_example_verifies() {
    assert_eq!(
        sign(&["Topevery", "1405665299", "42752994"]),
        "a948c4f99d23c1b6ef78204c1eb867166e2276e8"
    );
    assert_eq!(
        verify_url(
            "Topevery",
            "a948c4f99d23c1b6ef78204c1eb867166e2276e8",
            "1405665299",
            "42752994",
            "echo-5830"
        ),
        Ok("echo-5830")
    );
}

/// The signature is SHA-1 over the parts sorted byte-wise, whatever order they come in.
#[test]
fn signature_sorts_the_parts_before_hashing() {
    let expected = {
        let mut hasher = Sha1::new();
        hasher.update(b"1700000000abcnonce9zeta-token");
        hasher
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect::<String>()
    };
    assert_eq!(sign(&["zeta-token", "1700000000", "abcnonce9"]), expected);
    assert_eq!(sign(&["abcnonce9", "zeta-token", "1700000000"]), expected);
    assert_eq!(sign(&["1700000000", "abcnonce9", "zeta-token"]), expected);
    // The empty input is the hash of nothing.
    assert_eq!(sign(&[]), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

#[test]
fn echo_is_refused_on_any_changed_part() {
    let good = sign(&["tok", "1700000000", "n1"]);
    assert_eq!(verify_url("tok", &good, "1700000000", "n1", "e"), Ok("e"));
    assert_eq!(
        verify_url("tok", &good.to_uppercase(), "1700000000", "n1", "e"),
        Ok("e")
    );
    assert_eq!(
        verify_url("tok", &good, "1700000001", "n1", "e"),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        verify_url("tok", &good, "1700000000", "n2", "e"),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        verify_url("other", &good, "1700000000", "n1", "e"),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        verify_url("tok", &good[..39], "1700000000", "n1", "e"),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        verify_url("tok", "", "1700000000", "n1", "e"),
        Err(SignatureError::Missing("signature"))
    );
    assert_eq!(
        verify_url("tok", &good, "", "n1", "e"),
        Err(SignatureError::Missing("timestamp"))
    );
    assert_eq!(
        verify_url("tok", &good, "1700000000", "", "e"),
        Err(SignatureError::Missing("nonce"))
    );
    assert!(!signature_matches(
        &["tok", "1700000000", "n1"],
        "不是十六进制"
    ));
}

#[test]
fn posts_carry_the_same_three_part_signature() {
    let signature = sign(&["tok", "1700000000", "n1"]);
    assert_eq!(
        verify_signature("tok", &signature, "1700000000", "n1"),
        Ok(())
    );
    assert_eq!(
        verify_signature("tok", &signature, "1700000000", "n2"),
        Err(SignatureError::Mismatch)
    );
    // The WeCom four-part signature is not a valid three-part one.
    let four_part = sign(&["tok", "1700000000", "n1", "payload"]);
    assert_eq!(
        verify_signature("tok", &four_part, "1700000000", "n1"),
        Err(SignatureError::Mismatch)
    );
}
