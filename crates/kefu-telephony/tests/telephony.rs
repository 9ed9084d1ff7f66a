//! The telephone channel from signed webhook bytes to figures and call-back tasks.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure should panic with its value

use jiff::{SignedDuration, Timestamp};
use kefu_telephony::{
    CallError, CallEvent, CallEventKind, CallOutcome, CallPhase, CallState, EventError,
    FigureSettings, FinishedCall, NumberKind, Period, SIGNATURE_HEADER, TIMESTAMP_HEADER,
    WebhookError, WebhookVerifier, callback_for, parse_event, queue_figures,
};

const SECRET: &[u8] = b"kefu-test-secret";

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn verifier() -> WebhookVerifier {
    WebhookVerifier::new(SECRET).unwrap()
}

// ---- webhooks ----

#[test]
fn signature_matches_an_independent_hmac() {
    // python3: hmac.new(b'kefu-test-secret', b'1767225600.{"type":"offered"}', sha256).hexdigest()
    let expected = "98c1d19800805eaa2cf3ef99c9e8a264fea78d3d2ea1b82a89bef27ce834c0d5";
    let body = br#"{"type":"offered"}"#;
    assert_eq!(verifier().sign("1767225600", body), expected);
    let now = Timestamp::from_second(1_767_225_600).unwrap();
    let signed_at = verifier()
        .verify(Some("1767225600"), Some(expected), body, now)
        .unwrap();
    assert_eq!(signed_at, now);
    // Upper-case hex is the same signature.
    verifier()
        .verify(
            Some("1767225600"),
            Some(&expected.to_uppercase()),
            body,
            now,
        )
        .unwrap();
}

#[test]
fn refusals_are_typed() {
    let body = b"{}";
    let now = Timestamp::from_second(1_767_225_600).unwrap();
    let ts = "1767225600";
    let good = verifier().sign(ts, body);
    let v = verifier();
    assert_eq!(
        v.verify(None, Some(&good), body, now),
        Err(WebhookError::MissingHeader(TIMESTAMP_HEADER))
    );
    assert_eq!(
        v.verify(Some(ts), None, body, now),
        Err(WebhookError::MissingHeader(SIGNATURE_HEADER))
    );
    assert!(matches!(
        v.verify(Some("yesterday"), Some(&good), body, now),
        Err(WebhookError::BadTimestamp(_))
    ));
    assert_eq!(
        v.verify(Some(ts), Some("zz"), body, now),
        Err(WebhookError::BadHex)
    );
    assert_eq!(
        v.verify(Some(ts), Some(&good[..62]), body, now),
        Err(WebhookError::BadHex)
    );
    assert_eq!(
        v.verify(Some(ts), Some(&good), b"{ }", now),
        Err(WebhookError::SignatureMismatch)
    );
    // The timestamp is signed too: moving it breaks the signature.
    assert_eq!(
        v.verify(Some("1767225601"), Some(&good), body, now),
        Err(WebhookError::SignatureMismatch)
    );
    let other = WebhookVerifier::new(b"another secret").unwrap();
    assert_eq!(
        other.verify(Some(ts), Some(&good), body, now),
        Err(WebhookError::SignatureMismatch)
    );
    assert_eq!(
        WebhookVerifier::new(b"").err(),
        Some(WebhookError::EmptySecret)
    );
}

#[test]
fn the_window_is_inclusive_and_checked_after_the_signature() {
    let body = br#"{"type":"ended"}"#;
    let v = verifier().with_tolerance(SignedDuration::from_secs(60));
    let ts = "1767225600";
    let signed = Timestamp::from_second(1_767_225_600).unwrap();
    let sig = v.sign(ts, body);
    let shifted = |seconds: i64| signed + SignedDuration::from_secs(seconds);
    assert!(v.verify(Some(ts), Some(&sig), body, shifted(60)).is_ok());
    assert!(v.verify(Some(ts), Some(&sig), body, shifted(-60)).is_ok());
    assert_eq!(
        v.verify(Some(ts), Some(&sig), body, shifted(61)),
        Err(WebhookError::TooOld {
            age_seconds: 61,
            tolerance_seconds: 60
        })
    );
    assert_eq!(
        v.verify(Some(ts), Some(&sig), body, shifted(-61)),
        Err(WebhookError::TooNew {
            ahead_seconds: 61,
            tolerance_seconds: 60
        })
    );
    // A forged request is a mismatch whatever its age.
    assert_eq!(
        v.verify(Some(ts), Some(&"0".repeat(64)), body, shifted(3600)),
        Err(WebhookError::SignatureMismatch)
    );
}

// ---- events ----

fn event(json: &str) -> CallEvent {
    parse_event(json.as_bytes()).unwrap_or_else(|error| panic!("{json}: {error}"))
}

#[test]
fn events_parse_into_types() {
    let answered = event(
        r#"{"type":"answered","call_id":"c-1","at":"2026-12-01T09:00:12+08:00",
            "caller":"+86 138 0013 8000","queue":"after-sales","agent":"li.na","wait_seconds":12}"#,
    );
    assert_eq!(answered.call_id, "c-1");
    assert_eq!(answered.at, at("2026-12-01T01:00:12Z"));
    assert_eq!(answered.caller.digits(), "13800138000");
    assert_eq!(answered.caller.kind(), NumberKind::Mobile);
    assert_eq!(
        answered.kind,
        CallEventKind::Answered {
            agent: "li.na".into(),
            wait_seconds: 12
        }
    );
    let ended = event(
        r#"{"type":"ended","call_id":"c-1","at":"2026-12-01T01:05:00Z","caller":"0086 0755-1234-5678",
            "queue":"after-sales","agent":"li.na","wait_seconds":12,
            "recording_url":"https://pbx.example/rec/c-1.mp3"}"#,
    );
    assert_eq!(ended.caller.digits(), "075512345678");
    assert_eq!(ended.caller.kind(), NumberKind::Landline);
    assert!(matches!(
        ended.kind,
        CallEventKind::Ended { recording_url: Some(ref url), .. } if url == "https://pbx.example/rec/c-1.mp3"
    ));
    let abandoned = event(
        r#"{"type":"abandoned","call_id":"c-2","at":"2026-12-01T01:05:00Z","caller":"010-88888888",
            "queue":"sales","wait_seconds":40}"#,
    );
    assert_eq!(
        abandoned.kind,
        CallEventKind::Abandoned { wait_seconds: 40 }
    );
    assert_eq!(abandoned.caller.digits(), "01088888888");
}

#[test]
fn events_are_validated_strictly() {
    let base = r#""call_id":"c","at":"2026-12-01T00:00:00Z","caller":"13800138000","queue":"q""#;
    let parse = |rest: &str| parse_event(format!("{{{base}{rest}}}").as_bytes());
    assert_eq!(
        parse(r#","type":"transferred""#),
        Err(EventError::UnknownType("transferred".into()))
    );
    assert!(
        parse(r#","type":"transferred""#)
            .unwrap_err()
            .to_string()
            .contains("transferred")
    );
    assert_eq!(
        parse(r#","type":"answered","wait_seconds":3"#),
        Err(EventError::MissingField {
            event: "answered",
            field: "agent"
        })
    );
    assert_eq!(
        parse(r#","type":"abandoned""#),
        Err(EventError::MissingField {
            event: "abandoned",
            field: "wait_seconds"
        })
    );
    assert_eq!(
        parse(r#","type":"offered","agent":"x""#),
        Err(EventError::UnexpectedField {
            event: "offered",
            field: "agent"
        })
    );
    assert_eq!(
        parse(r#","type":"answered","agent":"x","wait_seconds":1,"recording_url":"https://a/b""#),
        Err(EventError::UnexpectedField {
            event: "answered",
            field: "recording_url"
        })
    );
    assert!(matches!(
        parse(r#","type":"offered","colour":"red""#),
        Err(EventError::Json(_))
    ));
    assert!(matches!(
        parse(r#","type":"abandoned","wait_seconds":-1"#),
        Err(EventError::Json(_))
    ));
    assert_eq!(
        parse(
            r#","type":"ended","agent":"x","wait_seconds":1,"recording_url":"file:///etc/passwd""#
        ),
        Err(EventError::BadRecordingUrl)
    );
    assert_eq!(
        parse(r#","type":"answered","agent":"  ","wait_seconds":1"#),
        Err(EventError::BadText { field: "agent" })
    );
    let no_offset = r#"{"type":"offered","call_id":"c","at":"2026-12-01T00:00:00","caller":"13800138000","queue":"q"}"#;
    assert!(matches!(
        parse_event(no_offset.as_bytes()),
        Err(EventError::BadTime(_))
    ));
    let foreign = r#"{"type":"offered","call_id":"c","at":"2026-12-01T00:00:00Z","caller":"+1 415 555 0100","queue":"q"}"#;
    assert!(matches!(
        parse_event(foreign.as_bytes()),
        Err(EventError::BadCaller(_))
    ));
}

// ---- state machine ----

/// The JSON a PBX would send for one event of call `id`.
fn json(kind: &str, id: &str, at: &str, extra: &str) -> String {
    format!(
        r#"{{"type":"{kind}","call_id":"{id}","at":"{at}","caller":"+8613800138000","queue":"after-sales"{extra}}}"#
    )
}

fn run(events: &[String]) -> Result<CallState, CallError> {
    events
        .iter()
        .try_fold(CallState::new(), |state, body| state.apply(&event(body)))
}

#[test]
fn a_call_goes_through_its_phases() {
    let offered = json("offered", "c", "2026-12-01T00:00:00Z", "");
    let queued = json("queued", "c", "2026-12-01T00:00:01Z", "");
    let answered = json(
        "answered",
        "c",
        "2026-12-01T00:00:15Z",
        r#","agent":"a","wait_seconds":14"#,
    );
    let ended = json(
        "ended",
        "c",
        "2026-12-01T00:03:00Z",
        r#","agent":"a","wait_seconds":14"#,
    );
    let state = run(&[offered.clone(), queued.clone(), answered.clone()]).unwrap();
    assert_eq!(state.phase(), CallPhase::Answered);
    assert_eq!(state.finished(), None);
    let state = state.apply(&event(&ended)).unwrap();
    assert_eq!(state.phase(), CallPhase::Ended);
    let finished = state.finished().unwrap();
    assert_eq!(finished.offered_at, at("2026-12-01T00:00:00Z"));
    assert_eq!(
        finished.outcome,
        CallOutcome::Answered {
            agent: "a".into(),
            wait_seconds: 14,
            ended_at: at("2026-12-01T00:03:00Z"),
            recording_url: None
        }
    );
    // Retries, even late ones, change nothing.
    for retry in [&offered, &queued, &answered, &ended] {
        assert_eq!(state.apply(&event(retry)).unwrap(), state);
    }
    assert_eq!(state.events().len(), 4);
}

#[test]
fn impossible_orders_are_refused() {
    let offered = json("offered", "c", "2026-12-01T00:00:00Z", "");
    let answered = json(
        "answered",
        "c",
        "2026-12-01T00:00:10Z",
        r#","agent":"a","wait_seconds":10"#,
    );
    let ended = json(
        "ended",
        "c",
        "2026-12-01T00:01:00Z",
        r#","agent":"a","wait_seconds":10"#,
    );
    let done = run(&[offered.clone(), answered.clone(), ended.clone()]).unwrap();

    let late_answer = json(
        "answered",
        "c",
        "2026-12-01T00:02:00Z",
        r#","agent":"b","wait_seconds":10"#,
    );
    assert_eq!(
        done.apply(&event(&late_answer)),
        Err(CallError::AlreadyAnswered { agent: "a".into() })
    );
    let answered_state = run(&[offered.clone(), answered.clone()]).unwrap();
    let second_answer = json(
        "answered",
        "c",
        "2026-12-01T00:00:11Z",
        r#","agent":"b","wait_seconds":11"#,
    );
    assert_eq!(
        answered_state.apply(&event(&second_answer)),
        Err(CallError::AlreadyAnswered { agent: "a".into() })
    );
    let abandon_after_end = json(
        "abandoned",
        "c",
        "2026-12-01T00:02:00Z",
        r#","wait_seconds":10"#,
    );
    assert_eq!(
        done.apply(&event(&abandon_after_end)),
        Err(CallError::ImpossibleOrder {
            event: "abandoned",
            phase: CallPhase::Ended
        })
    );
    assert_eq!(
        run(std::slice::from_ref(&ended)),
        Err(CallError::ImpossibleOrder {
            event: "ended",
            phase: CallPhase::Idle
        })
    );
    assert_eq!(
        run(&[offered.clone(), ended.clone()]),
        Err(CallError::ImpossibleOrder {
            event: "ended",
            phase: CallPhase::Offered
        })
    );
    let other_agent_ends = json(
        "ended",
        "c",
        "2026-12-01T00:01:00Z",
        r#","agent":"b","wait_seconds":10"#,
    );
    assert_eq!(
        run(&[offered.clone(), answered.clone(), other_agent_ends]),
        Err(CallError::AgentMismatch {
            answered: "a".into(),
            ended: "b".into()
        })
    );
    let other_call = json(
        "answered",
        "d",
        "2026-12-01T00:00:10Z",
        r#","agent":"a","wait_seconds":10"#,
    );
    assert!(matches!(
        run(&[offered.clone(), other_call]),
        Err(CallError::WrongCall { .. })
    ));
    let before_offer = json(
        "answered",
        "c",
        "2026-11-30T23:59:59Z",
        r#","agent":"a","wait_seconds":0"#,
    );
    assert_eq!(
        run(&[offered.clone(), before_offer]),
        Err(CallError::TimeWentBack { event: "answered" })
    );
    let twice_offered = json("offered", "c", "2026-12-01T00:00:05Z", "");
    assert!(matches!(
        run(&[offered, twice_offered]),
        Err(CallError::ImpossibleOrder {
            event: "offered",
            ..
        })
    ));
}

// ---- figures ----

fn finished_call(
    id: &str,
    queue: &str,
    offered_at: &str,
    answered: bool,
    wait: u32,
) -> FinishedCall {
    let offered = json("offered", id, offered_at, "").replace("after-sales", queue);
    let end = at(offered_at) + SignedDuration::from_secs(i64::from(wait));
    let last = if answered {
        json(
            "answered",
            id,
            &end.to_string(),
            &format!(r#","agent":"a","wait_seconds":{wait}"#),
        )
    } else {
        json(
            "abandoned",
            id,
            &end.to_string(),
            &format!(r#","wait_seconds":{wait}"#),
        )
    };
    let mut events = vec![offered, last.replace("after-sales", queue)];
    if answered {
        let ended = json(
            "ended",
            id,
            &end.to_string(),
            &format!(r#","agent":"a","wait_seconds":{wait}"#),
        );
        events.push(ended.replace("after-sales", queue));
    }
    run(&events).unwrap().finished().unwrap()
}

fn data_set() -> Vec<FinishedCall> {
    vec![
        finished_call("1", "after-sales", "2026-12-01T01:00:00Z", true, 10),
        finished_call("2", "after-sales", "2026-12-01T02:00:00Z", true, 20),
        finished_call("3", "after-sales", "2026-12-01T03:00:00Z", true, 21),
        finished_call("4", "after-sales", "2026-12-01T04:00:00Z", true, 45),
        finished_call("5", "after-sales", "2026-12-01T05:00:00Z", false, 30),
        finished_call("6", "after-sales", "2026-12-01T06:00:00Z", false, 4),
        finished_call("7", "after-sales", "2026-12-01T07:00:00Z", false, 5),
        // Outside the period: its end is exclusive, its start inclusive.
        finished_call("8", "after-sales", "2026-12-02T00:00:00Z", true, 5),
        finished_call("9", "after-sales", "2026-11-30T23:59:59Z", true, 0),
        finished_call("10", "sales", "2026-12-01T00:00:00Z", true, 3),
        finished_call("11", "sales", "2026-12-01T08:00:00Z", false, 2),
    ]
}

fn close(actual: Option<f64>, expected: f64) {
    let actual = actual.unwrap();
    assert!((actual - expected).abs() < 1e-12, "{actual} != {expected}");
}

#[test]
fn figures_match_hand_arithmetic() {
    let period = Period {
        start: at("2026-12-01T00:00:00Z"),
        end: at("2026-12-02T00:00:00Z"),
    };
    // Defaults: threshold 20 s (wait <= 20 is within), short abandon < 5 s.
    // after-sales, calls 1-7: answered 10, 20, 21, 45 -> 4; abandoned 30 and 5 -> 2 (5 is not
    //   < 5); abandoned 4 -> short, excluded. offered = 4 + 2 = 6.
    //   ASA = (10 + 20 + 21 + 45) / 4 = 96 / 4 = 24.0
    //   within 20 s: 10, 20 -> 2; service level = 2 / 6 = 0.3333...
    //   abandonment = 2 / 6 = 0.3333...
    // sales, calls 10-11: answered 3 -> 1; abandoned 2 -> short. offered = 1.
    //   ASA = 3.0, service level = 1 / 1, abandonment = 0 / 1.
    let figures = queue_figures(&data_set(), period, FigureSettings::default());
    assert_eq!(figures.len(), 2);
    let after_sales = &figures[0];
    assert_eq!(after_sales.queue, "after-sales");
    assert_eq!(
        (
            after_sales.offered,
            after_sales.answered,
            after_sales.abandoned,
            after_sales.short_abandoned
        ),
        (6, 4, 2, 1)
    );
    assert_eq!(after_sales.answered_within_threshold, 2);
    close(after_sales.average_speed_of_answer, 24.0);
    close(after_sales.service_level, 2.0 / 6.0);
    close(after_sales.abandonment_rate, 2.0 / 6.0);
    let sales = &figures[1];
    assert_eq!(sales.queue, "sales");
    assert_eq!(
        (
            sales.offered,
            sales.answered,
            sales.abandoned,
            sales.short_abandoned
        ),
        (1, 1, 0, 1)
    );
    close(sales.average_speed_of_answer, 3.0);
    close(sales.service_level, 1.0);
    close(sales.abandonment_rate, 0.0);

    // Threshold 30 s, no grace:
    // after-sales: offered 4 + 3 = 7; within 30 s: 10, 20, 21 -> 3 / 7; abandoned 3 / 7.
    // sales: offered 1 + 1 = 2; within 1 / 2; abandoned 1 / 2.
    let settings = FigureSettings {
        service_level_seconds: 30,
        short_abandon_seconds: 0,
    };
    let figures = queue_figures(&data_set(), period, settings);
    assert_eq!((figures[0].offered, figures[0].short_abandoned), (7, 0));
    close(figures[0].service_level, 3.0 / 7.0);
    close(figures[0].abandonment_rate, 3.0 / 7.0);
    close(figures[0].average_speed_of_answer, 24.0);
    assert_eq!(figures[1].offered, 2);
    close(figures[1].service_level, 0.5);
    close(figures[1].abandonment_rate, 0.5);
}

#[test]
fn a_queue_of_short_abandons_has_no_ratios() {
    let calls = vec![finished_call(
        "1",
        "night",
        "2026-12-01T01:00:00Z",
        false,
        1,
    )];
    let period = Period {
        start: at("2026-12-01T00:00:00Z"),
        end: at("2026-12-02T00:00:00Z"),
    };
    let figures = queue_figures(&calls, period, FigureSettings::default());
    assert_eq!(figures[0].offered, 0);
    assert_eq!(figures[0].short_abandoned, 1);
    assert_eq!(figures[0].service_level, None);
    assert_eq!(figures[0].average_speed_of_answer, None);
    assert_eq!(figures[0].abandonment_rate, None);
}

// ---- call-backs ----

#[test]
fn abandoned_calls_become_callbacks() {
    let calls = data_set();
    let callback = callback_for(&calls[4]).unwrap();
    assert_eq!(callback.call_id, "5");
    assert_eq!(callback.caller.digits(), "13800138000");
    assert_eq!(callback.queue, "after-sales");
    assert_eq!(callback.abandoned_at, at("2026-12-01T05:00:30Z"));
    assert_eq!(callback.waited_seconds, 30);
    assert_eq!(callback_for(&calls[0]), None);
}

// ---- garbage ----

/// xorshift64*: a fixed, dependency-free stream of pseudo-random bytes.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }
}

#[test]
fn garbage_never_panics() {
    let mut noise = Noise(0x6b65_6675_7465_6c65);
    let seeds = [
        json("offered", "c", "2026-12-01T00:00:00Z", ""),
        json(
            "answered",
            "c",
            "2026-12-01T00:00:10Z",
            r#","agent":"a","wait_seconds":10"#,
        ),
        json(
            "ended",
            "c",
            "2026-12-01T00:01:00Z",
            r#","agent":"a","wait_seconds":10,"recording_url":"https://r/1""#,
        ),
        json(
            "abandoned",
            "c",
            "2026-12-01T00:00:10Z",
            r#","wait_seconds":10"#,
        ),
    ];
    let alphabet = b"{}[]\":,0123456789+-.eE tnulfasr\\u\xff\xfe\x00abcdefABCDEF";
    let v = verifier();
    let now = Timestamp::from_second(1_767_225_600).unwrap();
    let (mut parsed, mut refused) = (0, 0);
    for round in 0..20_000 {
        let mut body = seeds[round % seeds.len()].clone().into_bytes();
        for _ in 0..=noise.below(4) {
            let position = noise.below(body.len() + 1);
            match noise.below(3) {
                0 if position < body.len() => {
                    body.remove(position);
                }
                1 if position < body.len() => {
                    body[position] = alphabet[noise.below(alphabet.len())]
                }
                _ => body.insert(position, alphabet[noise.below(alphabet.len())]),
            }
        }
        match parse_event(&body) {
            Ok(event) => {
                parsed += 1;
                let _ = CallState::new().apply(&event);
            }
            Err(_) => refused += 1,
        }
        let header: String = (0..noise.below(80))
            .map(|_| char::from(alphabet[noise.below(alphabet.len())]))
            .collect();
        let header = String::from_utf8_lossy(header.as_bytes()).into_owned();
        assert!(v.verify(Some(&header), Some(&header), &body, now).is_err());
        let _ = v.verify(Some("1767225600"), Some(&header), &body, now);
        let _ = v.verify(
            Some(&header),
            Some(&v.sign("1767225600", &body)),
            &body,
            now,
        );
    }
    // The mutations both keep some events valid and break most.
    assert!(
        parsed > 0 && refused > parsed,
        "parsed {parsed}, refused {refused}"
    );
}
