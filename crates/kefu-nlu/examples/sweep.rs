//! `cargo run -p kefu-nlu --example sweep [name=value,…]…`: 5-fold cross-validated accuracy on the
//! training data for the settings the model could be trained with, and the messages the chosen
//! (default) settings get wrong. Reads no held-out data: this is how settings are chosen.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)] // a developer's tool

use kefu_nlu::{Nlu, Settings, TRAIN_DATA, read_examples};

fn main() {
    let (train, _) = read_examples(TRAIN_DATA);
    let base = Settings::default();
    let mut variants: Vec<(String, Settings)> = vec![("default".into(), base)];
    let args: Vec<String> = std::env::args().skip(1).collect();
    for arg in &args {
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
                other => panic!("unknown setting {other}"),
            }
        }
        variants.push((arg.clone(), s));
    }
    for (name, settings) in &variants {
        let cv = Nlu::cross_validate_with(&train, 5, *settings);
        println!(
            "{:.2} %  {}/{}  {name}",
            cv.accuracy() * 100.0,
            cv.correct,
            cv.total
        );
    }
    if args.is_empty() {
        let cv = Nlu::cross_validate_with(&train, 5, base);
        println!("misclassified by the default settings (5-fold):");
        for (i, answer) in cv.misses {
            let e = &train[i];
            println!("  {:<16} → {:<16} {}", e.intent, answer, e.text);
        }
    }
}
