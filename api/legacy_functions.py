"""The 25 functions of the legacy API list (別紙3 API一覧 of the procurement spec).

Each API operation that implements one carries its logical name in the OpenAPI
schema as ``x-legacy-function``; tests/api/test_openapi.py checks that every
name below is there, and docs/api.md maps each to the new method and path.
The names are the specification's, NFKC-normalised (the PDF text uses CJK
compatibility characters such as ⼊ for 入).
"""

LEGACY_FUNCTIONS = [
    # (group, method, logical name)
    ("ユーザ関連", "POST", "ユーザ登録・更新"),
    ("ユーザ関連", "GET", "ユーザ検索"),
    ("ユーザ関連", "POST", "ユーザ仮登録"),
    ("ユーザ関連", "POST", "ユーザログイン"),
    ("お気に入り", "POST", "お気に入り登録・削除"),
    ("協賛店関連", "POST", "協賛店登録・更新"),
    ("協賛店関連", "GET", "協賛店検索"),
    ("協賛店関連", "GET", "協賛店一覧検索"),
    ("協賛店関連", "POST", "協賛店ユーザ登録"),
    ("協賛店関連", "GET", "協賛店ユーザ検索"),
    ("協賛店関連", "POST", "協賛店ユーザ仮登録"),
    ("協賛店関連", "POST", "協賛店ユーザログイン"),
    ("協賛店関連", "POST", "協賛店一時保存"),
    ("協賛店関連", "GET", "協賛店一時保存検索"),
    ("協賛店関連", "POST", "協賛店仮登録"),
    ("協賛店関連", "POST", "協賛店情報登録・更新認証"),
    ("協賛店関連", "GET", "協賛店認証待ち検索"),
    ("イベント", "POST", "イベント登録・更新"),
    ("イベント", "GET", "イベント検索"),
    ("お役立ち情報（ふぁみなび）関連", "POST", "お役立ち情報(ふぁみなび)登録・更新"),
    ("お役立ち情報（ふぁみなび）関連", "GET", "お役立ち情報(ふぁみなび)検索"),
    ("お知らせ情報関連", "POST", "お知らせ情報登録・更新"),
    ("お知らせ情報関連", "GET", "お知らせ情報検索"),
    ("プッシュ通知", "POST", "プッシュ通知登録"),
    ("プッシュ通知", "POST", "プッシュ通知ユーザ登録"),
]
LEGACY_FUNCTION_NAMES = [name for _group, _method, name in LEGACY_FUNCTIONS]
