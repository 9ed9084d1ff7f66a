//! `cargo run -p kefu-nlu --example sweep [--repeats=N] [name=value,…]…`: 5-fold cross-validated
//! accuracy and per-intent recall on the training data for the settings the model could be
//! trained with, and for the chosen (default) settings the commonest confusions and the messages
//! they get wrong. Reads no held-out data: this is how settings are chosen.
//!
//! One 5-fold split moves by a handful of messages with any change, so each figure is pooled over
//! `N` splits (default 3): the file's order, then seeded shuffles of it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)] // a developer's tool

use std::collections::HashMap;

use kefu_model::nlu::Intent;
use kefu_nlu::{Example, Nlu, Settings, TRAIN_DATA, read_examples};

const FOLDS: usize = 5;

/// What the repeated cross-validation of one set of settings found.
struct Pooled {
    right: usize,
    total: usize,
    /// Per intent: (right, examples), over all repeats.
    by_intent: HashMap<Intent, (usize, usize)>,
    /// (labelled, answered) → how often, over all repeats.
    confusions: HashMap<(Intent, Intent), usize>,
    /// The first split's misses: index into the training examples, and the answer.
    first_misses: Vec<(usize, Intent)>,
}

/// The example indices in the order of split `repeat`: the file's order first, then shuffles by
/// a fixed generator (xorshift), so every run splits alike.
fn split_order(n: usize, repeat: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    if repeat == 0 {
        return order;
    }
    let mut state: u64 =
        0x9e37_79b9_7f4a_7c15 ^ (repeat as u64).wrapping_mul(0x2545_f491_4f6c_dd1d);
    for i in (1..n).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let j = (state % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    order
}

fn evaluate(train: &[Example], settings: Settings, repeats: usize) -> Pooled {
    let mut pooled = Pooled {
        right: 0,
        total: 0,
        by_intent: HashMap::new(),
        confusions: HashMap::new(),
        first_misses: Vec::new(),
    };
    for repeat in 0..repeats {
        let order = split_order(train.len(), repeat);
        let shuffled: Vec<Example> = order.iter().map(|&i| train[i].clone()).collect();
        let cv = Nlu::cross_validate_with(&shuffled, FOLDS, settings);
        pooled.right += cv.correct;
        pooled.total += cv.total;
        // Count every example right, then take the misses back.
        for e in &shuffled {
            let (right, total) = pooled.by_intent.entry(e.intent).or_default();
            *right += 1;
            *total += 1;
        }
        for (i, answer) in &cv.misses {
            let label = shuffled[*i].intent;
            pooled.by_intent.entry(label).or_default().0 -= 1;
            *pooled.confusions.entry((label, *answer)).or_default() += 1;
            if repeat == 0 {
                pooled.first_misses.push((order[*i], *answer));
            }
        }
    }
    pooled
}

fn recall(pooled: &Pooled, intent: Intent) -> f64 {
    let (right, total) = pooled.by_intent.get(&intent).copied().unwrap_or((0, 0));
    right as f64 / total.max(1) as f64
}

fn main() {
    let (train, _) = read_examples(TRAIN_DATA);
    let base = Settings::default();
    let mut repeats = 3;
    let mut variants: Vec<(String, Settings)> = vec![("default".into(), base)];
    let mut listed_variants = false;
    for arg in std::env::args().skip(1) {
        if let Some(n) = arg.strip_prefix("--repeats=") {
            repeats = n.parse::<usize>().unwrap().max(1);
            continue;
        }
        // name=value[,name=value…] changes the default settings.
        let mut s = base;
        for pair in arg.split(',') {
            let (name, value) = pair.split_once('=').expect("name=value");
            match name {
                "epochs" => s.epochs = value.parse().unwrap(),
                "lr" => s.learning_rate = value.parse().unwrap(),
                "decay" => s.decay = value.parse().unwrap(),
                "l2" => s.l2 = value.parse().unwrap(),
                "trigrams" => s.trigrams = value.parse().unwrap(),
                "word_bigrams" => s.word_bigrams = value.parse().unwrap(),
                "concepts" => s.concepts = value.parse().unwrap(),
                "stems" => s.stems = value.parse().unwrap(),
                "place_roles" => s.place_roles = value.parse().unwrap(),
                "dropout" => s.dropout = value.parse().unwrap(),
                other => panic!("unknown setting {other}"),
            }
        }
        variants.push((arg.clone(), s));
        listed_variants = true;
    }
    let header: Vec<String> = Intent::ALL
        .iter()
        .map(|i| format!("{:>6}", i.as_str().chars().take(6).collect::<String>()))
        .collect();
    println!(
        "{FOLDS}-fold cross-validation pooled over {repeats} split(s) of {} training messages",
        train.len()
    );
    println!(
        "{:>9}  {:>11}  {}  settings",
        "accuracy",
        "right/all",
        header.join(" ")
    );
    let mut default_pooled = None;
    for (name, settings) in &variants {
        let pooled = evaluate(&train, *settings, repeats);
        let recalls: Vec<String> = Intent::ALL
            .iter()
            .map(|i| format!("{:>6.3}", recall(&pooled, *i)))
            .collect();
        println!(
            "{:>7.2} %  {:>5}/{:<5}  {}  {name}",
            pooled.right as f64 * 100.0 / pooled.total.max(1) as f64,
            pooled.right,
            pooled.total,
            recalls.join(" ")
        );
        if default_pooled.is_none() {
            default_pooled = Some(pooled);
        }
    }
    let Some(pooled) = default_pooled else { return };
    println!("\nper-intent recall of the default settings:");
    for intent in Intent::ALL {
        let (right, total) = pooled.by_intent.get(&intent).copied().unwrap_or((0, 0));
        println!(
            "  {:<16} {right:>4}/{total:<4} {:.3}",
            intent.as_str(),
            recall(&pooled, intent)
        );
    }
    let mut confusions: Vec<((Intent, Intent), usize)> =
        pooled.confusions.iter().map(|(k, v)| (*k, *v)).collect();
    confusions.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    println!("commonest confusions (labelled → answered, over all splits):");
    for ((label, answer), n) in confusions.iter().take(15) {
        println!("  {n:>3}  {label} → {answer}");
    }
    if !listed_variants {
        println!("misclassified by the default settings (first split):");
        let mut misses = pooled.first_misses.clone();
        misses.sort_unstable_by_key(|m| m.0);
        for (i, answer) in misses {
            let e = &train[i];
            println!("  {:<16} → {:<16} {}", e.intent, answer, e.text);
        }
    }
}
