//! The legal facts a report may cite (from the label guide, `docs/labels.md`): one plain sentence of legal
//! basis per tag, where to complain, and the note that a report is an aid, not a legal opinion.

use crate::labels::{Label, Tag};

/// Plain Chinese names of the labels, for people.
pub fn label_name(label: Label) -> &'static str {
    match label {
        Label::LawfulReminder => "合法催收提醒",
        Label::Intimidation => "恐吓威胁",
        Label::DoctoredImageThreat => "P图威胁",
        Label::Other => "其他",
    }
}

/// Plain Chinese names of the tags, for people.
pub fn tag_name(tag: Tag) -> &'static str {
    match tag {
        Tag::Contacts => "联系亲友/爆通讯录",
        Tag::Visit => "威胁上门",
        Tag::Violence => "暴力威胁",
        Tag::FalseLegal => "虚假法律恐吓",
        Tag::Insult => "辱骂",
        Tag::Exposure => "公开曝光",
        Tag::Image => "P图/羞辱图像",
    }
}

/// Short tag names, for chart headings.
pub fn tag_short(tag: Tag) -> &'static str {
    match tag {
        Tag::Contacts => "爆通讯录",
        Tag::Visit => "上门",
        Tag::Violence => "暴力",
        Tag::FalseLegal => "假法律",
        Tag::Insult => "辱骂",
        Tag::Exposure => "曝光",
        Tag::Image => "P图",
    }
}

/// The legal basis for one harm, in one plain sentence naming the laws of `LABELS.md`.
pub fn basis(tag: Tag) -> &'static str {
    match tag {
        Tag::Contacts => {
            "把欠款告诉借款人的家人、朋友、同事或通讯录联系人，侵犯《民法典》第1032条保护的隐私和第1034条保护的个人信息，违反《个人信息保护法》对公开、提供个人信息的限制，也违反中国互联网金融协会2018年催收指引中“不得向借款人以外的第三人透露债务”的要求；非法获取、出售、提供通讯录信息情节严重的，可能构成《刑法》第253条之一侵犯公民个人信息罪。"
        }
        Tag::Visit => {
            "以上门、到单位或回老家相威胁，属于中国互联网金融协会2018年催收指引禁止的恐吓和骚扰；以侵入住宅、跟踪、骚扰等方式催收高利放贷等产生的非法债务，情节严重的，可能构成《刑法》第293条之一催收非法债务罪（2021年3月1日起施行）。"
        }
        Tag::Violence => {
            "以暴力或暗示伤害本人、家人相威胁，是2018年催收指引明令禁止的暴力威胁；以暴力、胁迫、恐吓方式催收高利放贷等产生的非法债务，情节严重的，可能构成《刑法》第293条之一催收非法债务罪。"
        }
        Tag::FalseLegal => {
            "谎称已立案、要拘留、账户将被冻结，或冒充公安、法院、律师，是以虚假法律后果进行恐吓，为2018年催收指引所禁止；以恐吓方式催收非法债务，情节严重的，可能构成《刑法》第293条之一催收非法债务罪。正当的民事起诉、支付令和上报征信不在此列。"
        }
        Tag::Insult => {
            "辱骂、贬损人格违反2018年催收指引中不得侮辱、诽谤的要求；公然侮辱他人或捏造事实诽谤他人，情节严重的，可能构成《刑法》第246条侮辱罪、诽谤罪。"
        }
        Tag::Exposure => {
            "在群聊、朋友圈或以海报等形式公开债务信息，侵犯《民法典》第1032条的隐私权和第1034条的个人信息权益，违反《个人信息保护法》；公然贬损他人、情节严重的，可能构成《刑法》第246条侮辱罪、诽谤罪。"
        }
        Tag::Image => {
            "把借款人或其家人的照片P成遗照、裸照、通缉令或羞辱海报并传播，可能构成《刑法》第246条侮辱罪、诽谤罪，同时侵犯《民法典》第1032条、第1034条保护的隐私和个人信息，违反《个人信息保护法》，也违反2018年催收指引不得侮辱、诽谤的要求。"
        }
    }
}

/// Where to complain: number, who answers, what for.
pub const COMPLAINTS: [(&str, &str, &str); 3] = [
    (
        "110",
        "公安机关报警电话",
        "遭遇暴力威胁、上门滋扰、P图侮辱、个人信息被泄露等可能构成犯罪的行为时报警，并提交本报告和原始短信。",
    ),
    ("12378", "金融监管部门消费者投诉热线", "投诉持牌放贷机构及其委托的催收机构的违规催收。"),
    ("12321", "网络不良与垃圾信息举报受理中心", "举报骚扰、恐吓短信和电话。"),
];

/// The note every report carries.
pub const DISCLAIMER: &str = "本报告由 cuishou 软件根据短信文本自动整理，仅作为整理和提交证据的辅助材料，不是法律意见；自动分类可能有误，每条消息请以手机中的原始短信（按编号和时间核对）为准。如需法律意见，请咨询律师。";

/// The note of a scan report.
pub const SCAN_DISCLAIMER: &str = "本报告由 cuishou 软件对文本自动分类后统计，反映的是文本所述内容的分布，不是对任何平台的认定；自动分类可能有误，引用个案前请核对原文。";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tag_has_a_basis_that_cites_the_label_guide() {
        let cited = ["第1032条", "第1034条", "第246条", "第253条之一", "第293条之一", "个人信息保护法", "2018"];
        for tag in Tag::ALL {
            let b = basis(tag);
            assert!(cited.iter().any(|c| b.contains(c)), "{tag}: {b}");
            assert!(!tag_name(tag).is_empty());
        }
        assert!(COMPLAINTS.iter().map(|c| c.0).eq(["110", "12378", "12321"]));
    }
}
