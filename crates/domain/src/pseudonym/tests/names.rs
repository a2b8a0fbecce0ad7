use super::*;

#[test]
fn pseudonym_full_names_in_every_spelling_are_one_person() {
    let index = NameIndex::new(&people());
    for text in [
        "山田太郎",
        "山田 太郎",
        "山田　太郎",
        "山田・太郎",
        "山田太郎さん",
        "ヤマダタロウ",
        "ヤマダ タロウ",
        "ヤマダ・タロウ",
        "やまだたろう",
        "やまだ　たろう",
        "ﾔﾏﾀﾞ ﾀﾛｳ",
        "ﾔﾏﾀﾞﾀﾛｳ",
        "山田 タロウ",
    ] {
        assert_eq!(index.mask(text, Some(1), None, &labels()), "対象者K-TEST-0001", "{text}");
    }
    // Longest first: one label for the full name, not one each for 山田 and 太郎.
    assert_eq!(mask("山田太郎と話した"), "関係者Aと話した");
    assert_eq!(mask("鈴木一郎、山田太郎"), "関係者A、関係者B");
}

#[test]
fn pseudonym_family_name_with_honorifics_and_titles() {
    for h in ["さん", "様", "さま", "君", "くん", "氏", "ちゃん", "殿"] {
        assert_eq!(mask(&format!("山田{h}が来た")), "関係者Aが来た", "{h}");
    }
    for t in ["課長", "部長", "係長", "主任", "リーダー", "マネージャー", "先輩", "社長", "専務"] {
        assert_eq!(mask(&format!("山田{t}が来た")), format!("関係者A{t}が来た"), "{t}");
    }
    assert_eq!(mask("山田の意見"), "関係者Aの意見");
    assert_eq!(mask("山田様子見"), "関係者A様子見");
}

#[test]
fn pseudonym_given_names() {
    for text in ["太郎さん", "太郎君", "太郎くん", "たろうくん", "タロウさん", "太郎"] {
        assert_eq!(mask(&format!("{text}と")), "関係者Aと", "{text}");
    }
    // A one-character given name needs an honorific or the family name.
    assert_eq!(mask("誠さんは誠実だ"), "関係者Aは誠実だ");
    assert_eq!(mask("森誠と"), "関係者Aと");
}

#[test]
fn pseudonym_kana_forms() {
    for text in ["ヤマダ", "やまだ", "やまださん", "ﾔﾏﾀﾞ", "ﾔﾏﾀﾞｻﾝ", "ヤマダサン"] {
        assert_eq!(mask(&format!("{text}、")), "関係者A、", "{text}");
    }
    // サン in サンプル is not an honorific.
    assert_eq!(mask("ヤマダサンプル"), "関係者Aサンプル");
    // Names stored in hiragana or half-width kana are found in any script.
    assert_eq!(mask("ヤスイさん、タダシ"), "関係者A、関係者A");
    assert_eq!(mask("たかはしなおきさん"), "関係者A");
}

#[test]
fn pseudonym_one_character_family_names() {
    for text in ["林さん", "林課長", "林健太", "林 健太", "林くん", "ハヤシ", "はやしさん"] {
        let out = mask(text);
        assert!(!out.contains('林') && !out.contains("ハヤシ") && !out.contains("はやし"), "{text} → {out}");
    }
    assert_eq!(mask("林課長"), "関係者A課長");
    assert_eq!(mask("林健太"), "関係者A");
    let hayashi = NameIndex::new(&[person(1, "林", "太郎", "ハヤシ", "タロウ")]);
    for text in ["林さん", "林課長", "林太郎", "林 太郎", "はやし たろう"] {
        assert_eq!(hayashi.mask(text, Some(1), None, &labels()).replace("課長", ""), "対象者K-TEST-0001", "{text}");
    }
    // Alone, 林 森 原 stay: masking them would destroy common words.
    for text in ["森林の保全と林業", "原因を探る", "森の中", "パワハラの相談", "モリモリ働く"] {
        assert_eq!(mask(text), text);
    }
    assert_eq!(mask("ハラさんとモリさん"), "関係者Aと関係者B");
    assert_eq!(mask("原美咲、ミサキさん"), "関係者A、関係者A");
}

#[test]
fn pseudonym_common_words_survive_unless_used_as_names() {
    // 田中 未来, 安井 忠 (stored in hiragana), 前 大輔 are in the index.
    let plain = "未来のキャリアを考える。ただし、すぐには行かない。話しやすい職場。前部長の方針。";
    assert_eq!(mask(plain), plain);
    assert_eq!(mask("未来さん"), "関係者A");
    assert_eq!(mask("田中未来"), "関係者A");
    assert_eq!(mask("ただしくん"), "関係者A");
    assert_eq!(mask("タダシ"), "関係者A");
    assert_eq!(mask("やすいさん"), "関係者A");
    assert_eq!(mask("前さん"), "関係者A");
    assert_eq!(mask("一生懸命に働く"), "一生懸命に働く");
    assert_eq!(mask("たくさんの仕事"), "たくさんの仕事");
    assert_eq!(mask("拓さん、タクくん"), "関係者A、関係者A");
}

#[test]
fn pseudonym_subject_boss_and_stable_letters() {
    let index = NameIndex::new(&people());
    let text = "山田さんは佐藤課長と鈴木さん、林さんについて話した。鈴木さんは林さんの先輩。太郎さんは元気。";
    assert_eq!(
        index.mask(text, Some(1), Some(2), &labels()),
        "対象者K-TEST-0001は上司課長と関係者A、関係者Bについて話した。関係者Aは関係者Bの先輩。対象者K-TEST-0001は元気。"
    );
    let en = MaskLabels::en("K-TEST-0001");
    assert_eq!(index.mask("山田さんと佐藤さんと鈴木さん", Some(1), Some(2), &en), "Subject K-TEST-0001とthe bossとPerson A");
}

#[test]
fn pseudonym_shared_family_name_is_never_the_subject() {
    let index = NameIndex::new(&[person(1, "山田", "太郎", "ヤマダ", "タロウ"), person(2, "山田", "花子", "ヤマダ", "ハナコ")]);
    assert_eq!(
        index.mask("山田さんと山田太郎と山田花子とヤマダさん", Some(1), None, &labels()),
        "関係者Aと対象者K-TEST-0001と関係者Bと関係者A"
    );
    // The same full name for two people identifies neither.
    let twins = NameIndex::new(&[person(1, "山田", "太郎", "ヤマダ", "タロウ"), person(2, "山田", "太郎", "ヤマダ", "タロウ")]);
    assert_eq!(twins.mask("山田太郎", Some(1), None, &labels()), "関係者A");
}

#[test]
fn pseudonym_evasions_are_folded() {
    assert_eq!(mask("山\u{200B}田さん"), "関係者A");
    assert_eq!(mask("高橋さん"), "関係者A");
    assert_eq!(mask("髙橋さん"), "関係者A");
    assert_eq!(mask("高\u{E0100}橋直樹"), "関係者A");
    assert_eq!(mask("ﾀｶﾊｼ ﾅｵｷ"), "関係者A");
    assert_eq!(mask("ヤマタ\u{3099}さん"), "関係者A");
    assert_eq!(mask("ＳＭＩＴＨさん"), "関係者A");
}

#[test]
fn pseudonym_latin_names_need_word_edges() {
    assert_eq!(mask("Smith said"), "関係者A said");
    assert_eq!(mask("Smith John"), "関係者A");
    assert_eq!(mask("the Smithsonian"), "the Smithsonian");
}

#[test]
fn pseudonym_text_without_names_is_unchanged() {
    let text = "面談では今後のキャリアの方向性について話した。上司との関係が気になっている。";
    assert_eq!(mask(text), text);
    assert_eq!(NameIndex::new(&[]).mask(text, None, None, &labels()), text);
    assert_eq!(mask(""), "");
}

#[test]
fn pseudonym_names_overlapping_a_label_are_still_masked() {
    let index = NameIndex::new(&[person(1, "村上", "司", "ムラカミ", "ツカサ"), person(2, "佐藤", "花子", "サトウ", "ハナコ")]);
    let once = index.mask("村上司さんは上司の佐藤さんと面談した。井上司", None, Some(2), &labels());
    assert_eq!(once, "関係者Aは上司の上司と面談した。井上司");
    assert_eq!(index.mask(&once, None, Some(2), &labels()), once);
}

#[test]
fn pseudonym_masking_twice_changes_nothing() {
    let index = NameIndex::new(&people());
    let text = "山田さんは佐藤課長と林 健太、ﾔﾏﾀﾞ、モリさんについて上司と話した。";
    let once = index.mask(text, Some(1), Some(2), &labels());
    assert_eq!(index.mask(&once, Some(1), Some(2), &labels()), once);
}
