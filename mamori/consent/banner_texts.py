"""The banner's own words, in English and Japanese.

These are pinned here rather than taken from the translation catalog on purpose: the ledger
proves consent by the hash of the exact words shown, so the words must not change when a
catalog is regenerated. Changing any of them changes the hash, which is what should happen.
"""

# ruff: noqa: RUF001  (Japanese text uses full-width punctuation on purpose)
from __future__ import annotations

BANNER_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Cookies on this site",
        "body": (
            "We use essential cookies to run this site. With your permission we would also like to "
            "use the optional cookies below. You can change your choice at any time with the "
            "\u201ccookie settings\u201d link."
        ),
        "accept": "Accept all",
        "reject": "Reject all",
        "customise": "Customise",
        "save": "Save choices",
        "always_on": "Always on",
        "cookies": "Cookies",
        "policy": "Privacy policy",
        "gpc_honoured": (
            "Your browser sent a Global Privacy Control signal. We have honoured it: we do not sell or "
            "share your personal information, and optional cookies stay off."
        ),
        "dnt_honoured": "Your browser asks not to be tracked. We have honoured it: optional cookies stay off.",
        "gpc_locked": "Off: Global Privacy Control",
        "reload": "Withdrawn cookies stop with the next page load.",
        "close": "Close",
        "dialog": "Cookie choices",
    },
    "ja": {
        "title": "このサイトのクッキーについて",
        "body": (
            "当サイトの運営に必要なクッキーを使用しています。お客様の同意をいただける場合は、以下の任意の"
            "クッキーも使用します。選択は「クッキー設定」のリンクからいつでも変更できます。"
        ),
        "accept": "すべて同意する",
        "reject": "すべて拒否する",
        "customise": "カスタマイズ",
        "save": "選択を保存",
        "always_on": "常に有効",
        "cookies": "クッキー",
        "policy": "プライバシーポリシー",
        "gpc_honoured": (
            "お使いのブラウザからグローバル・プライバシー・コントロール（GPC）信号を受信しました。"
            "これに従い、お客様の個人情報を販売・共有せず、任意のクッキーは無効のままとします。"
        ),
        "dnt_honoured": (
            "お使いのブラウザはトラッキングの拒否を求めています。これに従い、任意のクッキーは無効のままとします。"
        ),
        "gpc_locked": "無効：GPC",
        "reload": "撤回したクッキーは次のページ読み込みから停止します。",
        "close": "閉じる",
        "dialog": "クッキーの選択",
    },
}

LANGUAGES = tuple(BANNER_TEXTS)
