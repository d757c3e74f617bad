# ruff: noqa: RUF001, E501  (notice prose: full-width Japanese punctuation, long sentences kept whole)
"""The sentences and headings of the notices, written in English and Japanese.

Notices are long legal prose: it is written here in both languages (not left to the .po catalog),
so a Japanese notice can never fall back to an English sentence. `say(key, language, **values)`
fills `{placeholders}` with map values already in that language.
"""

from __future__ import annotations

from typing import Any

from mamori.notices.labels import Bilingual

PHRASES: dict[str, Bilingual] = {
    # ---- titles and meta
    "title.privacy": ("Privacy Policy", "プライバシーポリシー"),
    "title.cookies": ("Cookie Policy", "クッキーポリシー"),
    "title.transmission": ("Information sent to third parties (external transmission)", "外部送信に関する公表事項"),
    "title.cpra": (
        "California Privacy Notice (CPRA Notice at Collection and Appendix)",
        "カリフォルニア州プライバシー通知（CPRA 収集時の通知および補足）",
    ),
    "title.appi": (
        "Matters Published under the Act on the Protection of Personal Information",
        "個人情報保護法に基づく公表事項",
    ),
    "title.collection": ("Notice at collection: {point}", "個人情報の取得時のお知らせ：{point}"),
    "meta.controller": ("{name}", "{name}"),
    "meta.first_published": ("First published: {date}", "制定日：{date}"),
    "meta.last_modified": ("Last modified: {date}", "最終改定日：{date}"),
    "meta.effective_from": ("Effective from: {date}", "施行日：{date}"),
    "meta.version": ("Version {number}", "第{number}版"),
    # ---- privacy policy headings
    "h.introduction": ("Introduction", "はじめに"),
    "h.controller": ("Who we are", "事業者の情報"),
    "h.contacts": ("How to contact us", "お問い合わせ窓口"),
    "h.representatives": ("Our representatives in the EU and the UK", "EU・英国における代理人"),
    "h.collected": ("What personal information we collect", "取得する個人情報"),
    "h.sources": ("Where it comes from", "取得元"),
    "h.purposes": ("Why we use it and on what legal basis", "利用目的と法的根拠"),
    "h.recipients": ("Who we share it with", "提供先・委託先"),
    "h.transfers": ("Transfers to other countries", "外国への移転"),
    "h.joint_use": ("Joint use", "共同利用"),
    "h.opt_out": ("Provision to third parties by opt-out", "オプトアウトによる第三者提供"),
    "h.retention": ("How long we keep it", "保存期間"),
    "h.security": ("How we protect it", "安全管理措置"),
    "h.rights": ("Your rights", "ご本人の権利"),
    "h.rights_law": ("Under the {law}", "{law}に基づく権利"),
    "h.how_to_exercise": ("How to exercise your rights", "権利の行使方法"),
    "h.deadlines": ("When we answer", "回答期限"),
    "h.complaints": ("Complaints", "苦情の申出先"),
    "h.children": ("Children", "お子様の個人情報"),
    "h.signals": ("Do Not Track and Global Privacy Control", "Do Not Track（DNT）およびGlobal Privacy Control（GPC）"),
    "h.cookies_pointer": ("Cookies", "クッキー"),
    "h.changes": ("Changes to this policy", "本ポリシーの変更"),
    "h.other": ("Further information", "その他の事項"),
    # ---- table headers
    "th.category": ("Category", "項目"),
    "th.classification": ("Classification", "区分"),
    "th.sensitivity": ("Sensitivity", "機微性"),
    "th.description": ("Description", "説明"),
    "th.source": ("Source", "取得元"),
    "th.source_kind": ("How", "取得方法"),
    "th.items": ("Information", "取得する情報"),
    "th.purpose": ("Purpose", "利用目的"),
    "th.basis": ("Legal basis ({jurisdiction})", "法的根拠（{jurisdiction}）"),
    "th.consent_required": ("Consent needed", "同意の要否"),
    "th.recipient": ("Recipient", "提供先"),
    "th.recipient_kind": ("Type", "種別"),
    "th.country": ("Country", "所在国"),
    "th.shared": ("Information shared", "提供する情報"),
    "th.provision_basis": ("Basis", "提供の根拠"),
    "th.safeguard": ("Safeguard", "保護措置"),
    "th.note": ("Details", "詳細"),
    "th.rule": ("Records", "記録"),
    "th.period": ("Period", "期間"),
    "th.legal_hold": ("Kept longer because", "法令による保存"),
    "th.disposal": ("Disposal", "廃棄方法"),
    "th.cookie_name": ("Name", "名称"),
    "th.cookie_purpose": ("Purpose", "目的"),
    "th.placed_by": ("Placed by", "設定者"),
    "th.cookie_category": ("Category", "カテゴリ"),
    "th.party": ("First or third party", "ファースト／サードパーティ"),
    "th.duration": ("Duration", "有効期間"),
    "th.domain": ("Domain", "ドメイン"),
    "th.cpra_category": ("Category of personal information", "個人情報のカテゴリ"),
    "th.examples": ("What it includes", "具体的な項目"),
    "th.disclosed_to": ("Disclosed for a business purpose to", "事業目的での開示先"),
    "th.sold_shared": ("Sold or shared", "販売・共有"),
    "th.retention": ("Retention", "保存期間"),
    "th.jurisdiction": ("Where", "対象地域"),
    "th.acknowledge": ("Confirmation of receipt", "受領の確認"),
    "th.respond": ("Answer", "回答"),
    "th.extend": ("At the latest, if extended", "延長する場合の最長期限"),
    "th.verification": ("Identity not verified within", "本人確認ができない場合の期限"),
    "th.rights": ("Requests", "対象となる請求"),
    # ---- controller and contacts
    "controller.name": ("Name: {name}", "名称：{name}"),
    "controller.trade_names": ("Also known as: {names}", "屋号・サービス名：{names}"),
    "controller.address": ("Address: {address}", "住所：{address}"),
    "controller.representative": ("Representative: {title} {name}", "代表者：{title} {name}"),
    "controller.website": ("Website: {url}", "ウェブサイト：{url}"),
    "controller.is_controller": (
        "{name} is responsible for (the controller of) the personal information described in this notice.",
        "本ポリシーに記載する個人情報は、{name}が責任をもって取り扱います（個人情報取扱事業者・管理者）。",
    ),
    "contact.handles": ("For {handles}.", "{handles}を受け付けます。"),
    "contact.channel": ("{kind}: {value}", "{kind}：{value}"),
    "contact.hours": (
        "Opening hours: {days}, {open}–{close} ({calendar}).",
        "受付時間：{days} {open}〜{close}（{calendar}）。",
    ),
    "contact.hours_plain": ("Opening hours: {days}, {open}–{close}.", "受付時間：{days} {open}〜{close}。"),
    "contact.after_hours.next_business_day": (
        "Requests that reach us outside these hours are treated as received on the next business day.",
        "受付時間外に届いたご請求は、翌営業日に受け付けたものとして取り扱います。",
    ),
    "contact.after_hours.same_day": (
        "Requests that reach us outside these hours are treated as received on the day they arrive.",
        "受付時間外に届いたご請求も、到着した日に受け付けたものとして取り扱います。",
    ),
    "contact.privacy_center": (
        "Online: the privacy center at {url}, where you can also follow your request.",
        "オンライン：プライバシーセンター（{url}）。ご請求の状況もこちらでご確認いただけます。",
    ),
    "representative.line": ("{region}: {name}, {address}", "{region}：{name}（{address}）"),
    "representative.email": ("E-mail: {email}", "電子メール：{email}"),
    # ---- data
    "collected.intro": (
        "We collect the following personal information.",
        "当社は、以下の個人情報を取得します。",
    ),
    "collected.history": (
        "We keep history and characteristic information (such as {items}) apart from personal information that "
        "identifies you, and handle it with the same care.",
        "{items}などの履歴情報・特性情報は、ご本人を識別する個人情報とは区別して管理し、同様に適切に取り扱います。",
    ),
    "collected.sensitive": (
        "Sensitive information: {items}. We use it only for the purposes stated for it.",
        "機微な情報：{items}。記載した目的の範囲内でのみ利用します。",
    ),
    "collected.no_sensitive": (
        "We do not collect sensitive or special-category personal information.",
        "当社は、要配慮個人情報その他の機微な個人情報を取得しません。",
    ),
    "purposes.intro": (
        "We use personal information only for the following purposes.",
        "当社は、個人情報を以下の目的の範囲内でのみ利用します。",
    ),
    "purposes.statistics_only": (
        "{purpose}: used only as aggregate statistics that identify no one.",
        "{purpose}：個人を識別できない統計情報としてのみ利用します。",
    ),
    "yes": ("Yes", "必要"),
    "no": ("No", "不要"),
    "sold.yes": ("Yes", "あり"),
    "sold.no": ("No", "なし"),
    "recipients.none": (
        "We do not provide personal information to anyone else.",
        "当社は、個人情報を第三者に提供しません。",
    ),
    "recipients.intro": (
        "We provide personal information only to the following recipients, for the purposes stated.",
        "当社は、以下の提供先・委託先に対し、記載した目的の範囲内でのみ個人情報を提供します。",
    ),
    "recipients.no_own_marketing": (
        "We do not allow third parties to use your personal information for their own marketing.",
        "当社は、第三者が自らのマーケティングのためにお客様の個人情報を利用することを認めていません。",
    ),
    "recipients.own_marketing": (
        "{names} may use your personal information for their own marketing, only with your consent.",
        "{names}は、ご本人の同意がある場合に限り、自らのマーケティングのために個人情報を利用することがあります。",
    ),
    "transfers.intro": (
        "Some recipients are outside {home}. Each transfer is protected as follows.",
        "一部の提供先は{home}国外にあります。各移転には以下の保護措置を講じています。",
    ),
    "joint_use.intro": (
        "We use personal information jointly with {name}.",
        "当社は、{name}と個人情報を共同利用します。",
    ),
    "joint_use.items": ("Items jointly used: {items}", "共同利用する項目：{items}"),
    "joint_use.scope": ("Scope of joint users: {text}", "共同利用者の範囲：{text}"),
    "joint_use.purpose": ("Purpose of the joint use: {text}", "利用目的：{text}"),
    "joint_use.manager": ("Responsible for the joint use: {text}", "管理責任者：{text}"),
    "opt_out.intro": (
        "We provide personal information to {name} unless you ask us to stop (opt-out provision). "
        "We have notified the Personal Information Protection Commission of the following.",
        "当社は、ご本人のお申出により停止することを条件に、{name}に個人情報を提供します（オプトアウトによる第三者提供）。"
        "以下の事項は個人情報保護委員会に届け出ています。",
    ),
    "opt_out.purpose": (
        "Provision to third parties is a purpose of use: {purposes}",
        "第三者への提供を利用目的とすること：{purposes}",
    ),
    "opt_out.items": ("Items provided: {text}", "提供する項目：{text}"),
    "opt_out.method": ("How they are provided: {text}", "提供の方法：{text}"),
    "opt_out.how_to_stop": ("How to stop it: {text}", "提供の停止の方法：{text}"),
    "retention.intro": (
        "We keep personal information only as long as stated below, then dispose of it.",
        "当社は、個人情報を以下の期間に限り保存し、期間経過後は廃棄します。",
    ),
    "retention.period": ("{period} {trigger}", "{trigger}{period}"),
    "retention.immediately": ("deleted {trigger}", "{trigger}速やかに削除"),
    "retention.hold": ("{basis}: {period}", "{basis}：{period}"),
    "security.intro": (
        "We take the following measures to keep personal information safe.",
        "当社は、個人情報の安全管理のために以下の措置を講じています。",
    ),
    # ---- rights
    "rights.intro": (
        "You may ask us for the following. We first confirm that the request comes from you or someone you "
        "have authorised.",
        "ご本人は、当社に対し以下を請求できます。ご請求がご本人またはその代理人からのものであることを確認したうえで対応します。",
    ),
    "rights.how": (
        "Contact us through any of the channels below, or use the request form of our privacy center.",
        "以下のいずれかの窓口、またはプライバシーセンターの請求フォームからご請求ください。",
    ),
    "rights.same_channel": (
        "We confirm receipt the same way the request reached us.",
        "受領の確認は、ご請求をいただいた方法と同じ方法でお知らせします。",
    ),
    "rights.records": (
        "We keep a record of each request and our answer for {period}, and use it for nothing else.",
        "ご請求とその対応の記録は{period}保存し、他の目的には利用しません。",
    ),
    "rights.law_default": ("{law}: {text}", "{law}：{text}"),
    "rights.all_rights": ("all requests", "すべての請求"),
    "deadline.intro": (
        "We commit to the following deadlines, counted from the day we receive your request.",
        "当社は、ご請求の受付日から起算して以下の期限内に対応します。",
    ),
    "deadline.acknowledge": ("within {period}", "{period}以内"),
    "deadline.respond": ("within {period}", "{period}以内"),
    "deadline.extend": (
        "{period} in total, with notice and the reason",
        "通知と理由の説明のうえ合計{period}",
    ),
    "deadline.verification": ("{period}; then the request is closed", "{period}（経過後はご請求を終了します）"),
    # ---- complaints, children, signals, changes
    "complaints.contact": (
        "Please tell us first: {contacts}. You may also complain to a supervisory authority:",
        "まずは当社窓口（{contacts}）までお申出ください。監督機関に苦情を申し立てることもできます。",
    ),
    "complaints.authority": ("{name} ({jurisdiction})", "{name}（{jurisdiction}）"),
    "complaints.authority_url": ("{name} ({jurisdiction}): {url}", "{name}（{jurisdiction}）：{url}"),
    "children.minimum_age": (
        "Our services are not intended for anyone under {age}, and we do not knowingly collect their personal information.",
        "当社のサービスは{age}歳未満の方を対象としておらず、その個人情報を故意に取得することはありません。",
    ),
    "children.no_sale": (
        "We do not sell or share the personal information of consumers under {age} years of age.",
        "当社は、{age}歳未満の消費者の個人情報を販売・共有しません。",
    ),
    "signals.dnt.honour": (
        'We honour "Do Not Track" (DNT) browser signals: when your browser sends one, we treat it as a refusal of '
        "non-essential cookies.",
        "当社は「Do Not Track」（DNT）シグナルに対応しています。ブラウザからDNTが送信された場合、必須でないクッキーを拒否したものとして取り扱います。",
    ),
    "signals.dnt.ignore": (
        'We do not respond to "Do Not Track" (DNT) browser signals.',
        "当社は「Do Not Track」（DNT）シグナルには対応していません。",
    ),
    "signals.dnt.none": (
        'We have made no commitment about "Do Not Track" (DNT) browser signals.',
        "「Do Not Track」（DNT）シグナルへの対応については定めていません。",
    ),
    "signals.gpc.honour": (
        "We honour the Global Privacy Control (GPC) signal: a browser that sends it is opted out of the sale and "
        "sharing of personal information and of non-essential cookies, without having to ask.",
        "当社はGlobal Privacy Control（GPC）シグナルに対応しています。GPCを送信するブラウザについては、お申出がなくても個人情報の販売・共有および必須でないクッキーをオプトアウトしたものとして取り扱います。",
    ),
    "signals.gpc.ignore": (
        "We do not respond to the Global Privacy Control (GPC) signal.",
        "当社はGlobal Privacy Control（GPC）シグナルには対応していません。",
    ),
    "signals.gpc.none": (
        "We have made no commitment about the Global Privacy Control (GPC) signal.",
        "Global Privacy Control（GPC）シグナルへの対応については定めていません。",
    ),
    "cookies.pointer": (
        "We use cookies and similar technologies as described in our Cookie Policy, where you can also change your choices.",
        "当社のクッキー等の利用についてはクッキーポリシーをご覧ください。設定の変更もこちらから行えます。",
    ),
    "changes.notify": (
        "When we make a material change, we tell you by {channels}.",
        "重要な変更を行う場合は、{channels}によりお知らせします。",
    ),
    "changes.advance": (
        "Material changes are announced at least {period} before they take effect.",
        "重要な変更は、効力発生の{period}以上前にお知らせします。",
    ),
    "changes.reconsent": (
        "Where we rely on your consent, we ask for it again after a material change.",
        "同意に基づく取扱いについては、重要な変更の後に改めて同意をお願いします。",
    ),
    "changes.published": (
        "The current version is always on this page with its date; earlier versions and what changed are listed "
        "in the change history.",
        "最新の版は改定日とともに本ページに掲載し、過去の版と変更内容は変更履歴に掲載します。",
    ),
    "channel.email": ("e-mail", "電子メール"),
    "channel.site_notice": ("a notice on our website", "ウェブサイト上の告知"),
    "list.and": ("{a} and {b}", "{a}および{b}"),
    "list.sep": (", ", "、"),
    # ---- cookies
    "cookies.intro": (
        "Cookies are small files a website stores in your browser. We use the following cookies and similar "
        "technologies on {site}.",
        "クッキーは、ウェブサイトがブラウザに保存する小さなファイルです。当社は{site}で以下のクッキーおよび類似技術を使用します。",
    ),
    "cookies.none": ("We use no cookies or similar technologies.", "当社はクッキーおよび類似技術を使用しません。"),
    "h.cookie_categories": ("Types of cookies", "クッキーの種類"),
    "h.cookie_table": ("The cookies we use", "使用するクッキーの一覧"),
    "h.cookie_choices": ("Your choices", "設定の変更"),
    "cookies.always_on": ("Always on; no consent needed.", "常に有効です（同意は不要です）。"),
    "cookies.needs_consent": (
        "Used only with your consent in {jurisdictions}; you can withdraw it at any time.",
        "{jurisdictions}では、ご本人の同意がある場合に限り使用します。同意はいつでも撤回できます。",
    ),
    "cookies.basis": ("Legal basis: {bases}", "法的根拠：{bases}"),
    "cookies.count": ("Cookies in this category: {count}.", "このカテゴリのクッキー：{count}件"),
    "cookies.choices": (
        "You can change your choices at any time in the privacy center's cookie settings.",
        "プライバシーセンターのクッキー設定から、いつでも設定を変更できます。",
    ),
    # ---- CPRA
    "h.cpra_collection": ("Notice at collection", "収集時の通知"),
    "h.cpra_categories": (
        "Categories collected in the preceding 12 months",
        "過去12か月間に収集した個人情報のカテゴリ",
    ),
    "h.cpra_sale": ("Sale and sharing", "販売および共有"),
    "h.cpra_sensitive": ("Sensitive personal information", "センシティブ個人情報"),
    "h.cpra_rights": ("Your California privacy rights", "カリフォルニア州における権利"),
    "h.cpra_submit": ("How to submit a request", "請求の方法"),
    "h.cpra_verification": ("How we verify your request", "本人確認の方法"),
    "h.cpra_agents": ("Authorized agents", "授権代理人"),
    "h.cpra_clocks": ("When we answer and what we keep", "回答期限と記録の保存"),
    "h.cpra_non_discrimination": ("Non-discrimination", "差別の禁止"),
    "cpra.intro": (
        "This notice applies to residents of California. It describes the personal information we have collected "
        "in the preceding 12 months and your rights under the California Consumer Privacy Act as amended by the "
        "California Privacy Rights Act (CPRA).",
        "本通知はカリフォルニア州の居住者に適用され、過去12か月間に当社が収集した個人情報と、カリフォルニア州プライバシー権法（CPRA）による改正後のカリフォルニア州消費者プライバシー法に基づく権利について説明します。",
    ),
    "cpra.not_in_scope": (
        "The map of {name} does not list California (US-CA) among its jurisdictions.",
        "{name}のプライバシーマップには、対象地域としてカリフォルニア州（US-CA）が含まれていません。",
    ),
    "cpra.sells.no": ("We do not sell personal information.", "当社は個人情報を販売しません。"),
    "cpra.sells.yes": ("We sell personal information.", "当社は個人情報を販売します。"),
    "cpra.shares.no": (
        "We do not share personal information for cross-context behavioural advertising.",
        "当社は、クロスコンテキスト行動広告のために個人情報を共有しません。",
    ),
    "cpra.shares.yes": (
        "We share personal information for cross-context behavioural advertising.",
        "当社は、クロスコンテキスト行動広告のために個人情報を共有します。",
    ),
    "cpra.discloses.no": (
        "We do not disclose personal information to third parties for a business purpose.",
        "当社は、事業目的で個人情報を第三者に開示しません。",
    ),
    "cpra.discloses.yes": (
        "We disclose personal information for a business purpose to the recipients listed above.",
        "当社は、上記の開示先に対し事業目的で個人情報を開示します。",
    ),
    "cpra.opt_out_link": (
        'You can opt out of the sale or sharing of your personal information at "Do Not Sell or Share My Personal '
        'Information" in our privacy center.',
        "プライバシーセンターの「個人情報の販売・共有をしないでください」から、販売・共有をオプトアウトできます。",
    ),
    "cpra.sensitive.none": (
        "We do not collect sensitive personal information.",
        "当社はセンシティブ個人情報を収集しません。",
    ),
    "cpra.sensitive.some": (
        "We collect the following sensitive personal information and use it only for the purposes the law allows "
        "without a right to limit: {items}.",
        "当社は以下のセンシティブ個人情報を収集し、法が利用制限の権利なしに認める目的の範囲内でのみ利用します：{items}。",
    ),
    "cpra.right.access": (
        "Right to know: the categories and specific pieces of personal information we collected about you, its "
        "sources, purposes and recipients, covering the preceding 12 months.",
        "知る権利：過去12か月間に当社が収集した個人情報のカテゴリおよび具体的な内容、その取得元、目的、開示先を知る権利。",
    ),
    "cpra.right.erasure": (
        "Right to delete personal information we collected from you.",
        "削除権：当社がご本人から収集した個人情報の削除を求める権利。",
    ),
    "cpra.right.rectification": (
        "Right to correct inaccurate personal information.",
        "訂正権：不正確な個人情報の訂正を求める権利。",
    ),
    "cpra.right.opt_out_sale_sharing": (
        "Right to opt out of the sale or sharing of personal information.",
        "オプトアウト権：個人情報の販売・共有をオプトアウトする権利。",
    ),
    "cpra.right.limit_sensitive": (
        "Right to limit the use and disclosure of sensitive personal information.",
        "制限権：センシティブ個人情報の利用・開示を制限する権利。",
    ),
    "cpra.non_discrimination": (
        "We will not discriminate against you for exercising any of these rights.",
        "これらの権利を行使したことを理由に、ご本人を差別的に取り扱うことはありません。",
    ),
    "cpra.submit": (
        "Submit a request through any of the following:",
        "以下のいずれかの方法でご請求ください。",
    ),
    "cpra.verification": (
        "We verify your identity by matching information you give us with information we hold: two data points for "
        "categories, three data points and a signed declaration for specific pieces of information.",
        "ご提供いただいた情報を当社の保有情報と照合して本人確認を行います。カテゴリの開示には2点、具体的な内容の開示には3点の一致と署名した宣誓書が必要です。",
    ),
    "cpra.agents": (
        "An authorized agent may submit a request for you with your signed permission; we may ask you to verify "
        "your identity directly with us.",
        "授権代理人は、ご本人が署名した委任状により代理で請求できます。当社はご本人に直接本人確認をお願いすることがあります。",
    ),
    "cpra.clock.acknowledge": ("We confirm receipt within {period}.", "受付から{period}以内に受領を確認します。"),
    "cpra.clock.respond": ("We respond within {period} of receipt.", "受付から{period}以内に回答します。"),
    "cpra.clock.extend": (
        "If we need more time, we tell you why and respond within {period} of receipt in total.",
        "さらに時間を要する場合は理由をお知らせし、受付から合計{period}以内に回答します。",
    ),
    "cpra.clock.verification": (
        "If we cannot verify your identity within {period}, we close the request and tell you so.",
        "{period}以内に本人確認ができない場合は、その旨をお知らせしたうえでご請求を終了します。",
    ),
    "cpra.clock.records": ("We keep records of requests for {period}.", "ご請求の記録は{period}保存します。"),
    # ---- APPI
    "h.appi_business": ("Name, address and representative", "名称・住所・代表者"),
    "h.appi_purposes": ("Purposes of use of retained personal data", "保有個人データの利用目的"),
    "h.appi_procedure": ("Procedures for requests (disclosure and others)", "開示等の請求等に応じる手続"),
    "h.appi_fees": ("Fees", "手数料"),
    "h.appi_security": ("Security control measures", "安全管理措置"),
    "h.appi_complaints": ("Where to send complaints", "苦情の申出先"),
    "h.appi_foreign": ("Provision to third parties in foreign countries", "外国にある第三者への提供"),
    "appi.not_in_scope": (
        "The map of {name} does not list Japan (JP) among its jurisdictions.",
        "{name}のプライバシーマップには、対象地域として日本（JP）が含まれていません。",
    ),
    "appi.intro": (
        "We publish the following matters about the retained personal data we hold, as the Act on the Protection "
        "of Personal Information requires.",
        "個人情報の保護に関する法律に基づき、当社が保有する保有個人データに関する事項を以下のとおり公表します。",
    ),
    "appi.procedure": (
        "Requests for a notice of the purposes of use, disclosure (including records of provision to third "
        "parties), correction, addition or deletion, suspension of use, erasure and cessation of provision to "
        "third parties are accepted at the contact below. We confirm that the request comes from you or your "
        "agent before we act on it.",
        "利用目的の通知、開示（第三者提供記録の開示を含みます）、内容の訂正・追加・削除、利用の停止・消去および第三者への提供の停止のご請求は、以下の窓口で受け付けます。ご本人または代理人であることを確認したうえで対応します。",
    ),
    "appi.no_fee": ("We charge no fee for these requests.", "これらのご請求に手数料はいただきません。"),
    "appi.complaints": (
        "Complaints about how we handle personal information: {contacts}.",
        "個人情報の取扱いに関する苦情の申出先：{contacts}。",
    ),
    "appi.foreign.line": (
        "{name}: {country}; {safeguard}",
        "{name}：{country}、{safeguard}",
    ),
    # ---- e-mail and site notice about a material change
    "email.subject": ("{name}: changes to our privacy notices", "【{name}】プライバシーに関する通知の変更のお知らせ"),
    "site_notice.upcoming": (
        "We are updating our privacy notices. The changes take effect on {date}.",
        "プライバシーに関する通知を改定します。{date}から適用されます。",
    ),
    "site_notice.updated": (
        "We updated our privacy notices on {date}.",
        "{date}にプライバシーに関する通知を改定しました。",
    ),
    "site_notice.link": ("See what changed", "変更内容を見る"),
    # ---- collection points
    "collection.intro": (
        "{controller} collects the personal information below when you use {point}.",
        "{controller}は、{point}のご利用にあたり、以下の個人情報を取得します。",
    ),
    "h.collection_items": ("What we collect", "取得する情報"),
    "h.collection_purposes": ("What we use it for", "利用目的"),
    "h.collection_recipients": ("Who receives it", "提供先・委託先"),
    "h.collection_retention": ("How long we keep it", "保存期間"),
    "h.collection_voluntary": ("Do you have to provide it?", "ご提供の任意性"),
    "h.collection_rights": ("Your rights and our contact", "ご本人の権利とお問い合わせ窓口"),
    "collection.voluntary": ("Providing it is voluntary.", "ご提供は任意です。"),
    "collection.required": ("Providing it is required for this service.", "本サービスのご利用にはご提供が必要です。"),
    "collection.no_recipients": (
        "We do not provide it to anyone else.",
        "第三者への提供および委託は行いません。",
    ),
    "collection.rights": (
        "You may ask for disclosure, correction, deletion and the other rights described in our Privacy Policy.",
        "開示、訂正、削除その他プライバシーポリシーに記載の権利を行使できます。",
    ),
    "collection.policy_link": (
        "Full details are in our Privacy Policy.",
        "詳しくはプライバシーポリシーをご覧ください。",
    ),
    "collection.not_found": (
        "There is no collection point '{point}' in this map.",
        "このマップに収集ポイント「{point}」はありません。",
    ),
}


def say(key: str, language: str, **values: Any) -> str:
    english, japanese = PHRASES[key]
    template = japanese if language == "ja" else english
    return template.format(**values) if values else template


def join(items: list[str], language: str) -> str:
    """A readable list: "a, b and c" / "a、bおよびc"."""
    items = [item for item in items if item]
    if len(items) <= 1:
        return "".join(items)
    separator = say("list.sep", language)
    return say("list.and", language, a=separator.join(items[:-1]), b=items[-1])
