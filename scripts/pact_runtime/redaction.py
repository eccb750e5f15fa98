"""Secret patterns: find credentials in free text and mask them.

One source for every part of the runtime that must not store or write a
secret: the memory store redacts before saving, the SQL/secret guard raises a
HALT when a file being written holds one. ``find_secrets`` returns
``(kind, start, end)`` spans, sorted and non-overlapping; ``redact`` replaces
each span with ``[REDACTED:<kind>]``.

Where a secret sits inside a larger form (a password in a URL, the value of a
``password=`` assignment, the token after ``Bearer``), only the secret part is
reported, so the surrounding text stays readable. A secret's name is given its value in
other forms too, whose literal is judged as an assignment's: after a type
(``db_password: str = "…"``, ``var apiSecret string = "…"``), as a fallback
(``os.getenv("DB_PASSWORD", "…")``, ``process.env.DB_PASSWORD || "…"``,
``${DB_PASSWORD:-…}``), through a subscript or a call (``os.environ["DB_PASSWORD"] = "…"``,
``define('DB_PASSWORD', '…')``), or apart from its name, as Kubernetes lists it
(``- name: DB_PASSWORD`` then ``value: "…"``).

Two kinds of look-alike are told apart. A value that is code, not a literal
(``self.password = password``, ``SECRET_KEY = settings.SECRET_KEY``,
``let secret = &args.secret;``, a YAML tag such as ``!vault``), holds no secret
and is never reported; nor does one that says where the secret is kept (a file,
``./creds/sa.json``, or a secret manager's reference, ``op://vault/item/field``).
In a file that holds literals, never code (``.env``, ``.env.production``,
``.properties``, ``.ini``), no value is taken for code or prose
(``DB_PASSWORD=CorrectHorseBatteryStaple``), and in a ``.properties`` or ``.ini`` file one
runs to the end of its line.
A well-known placeholder (``changeme``, ``your-api-key-here``, ``xxxxxxxx``,
AWS's documented ``…EXAMPLE`` keys, a default such as ``POSTGRES_PASSWORD:
postgres``) is masked by ``redact``, which costs nothing, but
``find_secrets(text, placeholders=False)`` leaves it out: the guard raises a
HALT, which pauses the project, only for a value that may really be a secret.
So does it leave out prose after a secret's name, a value given by name in a
sample file (``.env.example``) that does not look like a real password, and the
API key of a Firebase web config (the one given as its ``apiKey``) and Supabase's anon
key, which are public by design.

Every pattern costs time in proportion to the text, whatever it holds: each
repetition that could be retried from every start position is bounded (64
characters of a name on each side of its secret word, a URL password of 256
plus four ``/`` parts, 256 characters of a command line between the program and
its password option); only a pattern's last part, where the match is certain,
runs unbounded. So a name or password longer than those bounds is not seen in
that form. ``tests/runtime/test_redaction_linear.py`` checks the patterns'
structure for this.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from collections.abc import Iterator

# (kind, triggers, pattern, group): the pattern runs only when the text holds one of
# the triggers (compared in lower case), so ordinary text costs a few substring
# checks and no regular expression is compiled until a trigger appears.
# Group 0 is the whole match, otherwise the secret part.
_PATTERNS: tuple[tuple[str, tuple[str, ...], str, int], ...] = (
    ("private-key", ("-----begin",),
     r"-----BEGIN[ \t]{1,8}(?:[A-Z0-9]{1,16}[ \t]{1,8}){0,4}PRIVATE[ \t]{1,8}KEY"
     r"(?:[ \t]{1,8}BLOCK)?-----(?:[\s\S]{0,65536}?-----END[ \t]{1,8}(?:[A-Z0-9]{1,16}[ \t]{1,8})"
     r"{0,4}PRIVATE[ \t]{1,8}KEY(?:[ \t]{1,8}BLOCK)?-----|[\s\S]*)", 0),
    ("aws-access-key", ("akia", "asia", "abia", "acca", "aida", "aroa"),
     r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA|AIDA|AROA)[A-Z0-9]{16}(?![A-Z0-9])", 0),
    ("aws-secret-key", ("aws",),
     r"(?i)aws[\w.-]{0,24}secret[\w.-]{0,24}[\"']?(?:\s{0,64}[:=]\s{0,64}|[ \t]{1,64})[\"']?"
     r"([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])", 1),
    # Azure storage and service bus connection strings, and the signature of a SAS URL.
    ("azure-key", ("accountkey", "sharedaccesskey"),
     r"(?i)\b(?:AccountKey|SharedAccessKey)[ \t]{0,64}=[ \t]{0,64}([A-Za-z0-9+/]{20,}={0,2})", 1),
    ("azure-key", ("sig=",), r"[?&]sig=([A-Za-z0-9%+/]{20,}(?:%3D|=){0,2})", 1),
    ("github-token", ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
     r"(?<![\w-])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})", 0),
    ("gitlab-token", ("glpat-", "gldt-", "glrt-", "glptt-", "glcbt-", "gloas-"),
     r"(?<![\w-])gl(?:pat|dt|rt|ptt|cbt|oas)-[A-Za-z0-9_-]{20,}", 0),
    ("slack-token", ("xox",),
     r"(?<![\w-])xox[abposre]-(?:[0-9]{1,20}-){0,4}[A-Za-z0-9-]{10,}", 0),
    ("slack-webhook", ("hooks.slack.com",),
     r"https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9/_-]{20,}", 0),
    ("stripe-key", ("_live_", "_test_"),
     r"(?<![\w-])(?:sk|rk|whsec)_(?:live|test)_[A-Za-z0-9]{16,}", 0),
    ("anthropic-key", ("sk-ant-",), r"(?<![\w-])sk-ant-[A-Za-z0-9_-]{20,}", 0),
    ("openai-key", ("sk-",),
     r"(?<![\w-])sk-(?!ant-)(?:proj-|svcacct-|admin-)?"
     r"(?=[A-Za-z0-9_-]{0,255}[0-9])(?=[A-Za-z0-9_-]{0,255}[A-Za-z])[A-Za-z0-9_-]{20,}", 0),
    ("google-api-key", ("aiza",), r"(?<![\w-])AIza[0-9A-Za-z_-]{35}", 0),
    ("jwt", ("eyj",),
     r"(?<![\w-])eyJ[A-Za-z0-9_-]{8,4096}\.eyJ[A-Za-z0-9_-]{8,65536}\.[A-Za-z0-9_-]{16,}", 0),
    # Here the literal comes first so the engine can skip to it; a look-behind then checks it.
    ("npm-token", ("npm_",), r"npm_(?<![\w-]npm_)[A-Za-z0-9]{36}(?![\w-])", 0),
    ("huggingface-token", ("hf_",), r"hf_(?<![\w-]hf_)[A-Za-z]{34,64}(?![\w-])", 0),
    ("sendgrid-key", ("sg.",),
     r"SG\.(?<![\w.-]SG\.)[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![\w-])", 0),
    ("pypi-token", ("pypi-ag",), r"(?<![\w-])pypi-AgE[A-Za-z0-9_-]{50,}", 0),
    ("twilio-key", ("sk",), r"SK(?<![\w-]SK)[0-9a-fA-F]{32}(?![\w-])", 0),
    ("digitalocean-token", ("_v1_",), r"(?<![\w-])do[por]_v1_[0-9a-f]{64}(?![\w-])", 0),
    ("shopify-token", ("shpat_", "shpca_", "shppa_", "shpss_"),
     r"(?<![\w-])shp(?:at|ca|pa|ss)_[0-9a-fA-F]{32}(?![\w-])", 0),
    # A bot's id, then 35 characters that begin with AA; bare or in a URL (/bot<token>/getMe).
    ("telegram-token", (":aa",),
     r"(?:(?<![\w:])|(?<=bot))[0-9]{8,10}:AA[A-Za-z0-9_-]{33}(?![\w-])", 0),
    ("discord-webhook", ("discord",),
     r"https://(?:(?:ptb|canary)\.)?discord(?:app)?\.com/api/(?:v[0-9]{1,2}/)?webhooks/"
     r"[0-9]{17,20}/[A-Za-z0-9_-]{60,}", 0),
)
# A PEM private key in base64, as Kubernetes holds it (kubeconfig's client-key-data, a
# Secret's tls.key): "LS0tLS1CRUdJTi" is "-----BEGIN", and what follows is read to tell
# a private key from a certificate.
_BASE64_KEY = r"LS0tLS1CRUdJTi(?<![A-Za-z0-9+/]LS0tLS1CRUdJTi)[A-Za-z0-9+/]{20,}={0,2}"
# A password in a URL's userinfo; it may hold "/" (not "@", which ends it), and, before any
# "/", an unencoded "#" or "?" as people paste them (postgres://app:Zq8#kL2@db).
# The password runs to the last "@" before the host, so one holding "@" is caught whole.
_URL_PASSWORD = (r"(?i)\b[a-z][a-z0-9+.-]{1,20}://[^\s:/@?#]{0,256}:"
                 r"([^\s/]{1,256}(?:/[^\s@?#/]{0,256}){0,4})@")

# Passwords given to a command on its command line; the value is checked like an assignment's.
# (program names, option spellings, pattern): the pattern runs only when the text holds both
# one of the names and one of the options.
_CLI_PATTERNS: tuple[tuple[tuple[str, ...], tuple[str, ...], str], ...] = (
    (("mysql", "mariadb"), ("-p",),
     r"\b(?:mysql|mariadb)\w{0,24}\b[^\n|;&]{0,256}?\s-p(?!\s)([\"']?)([^\s\"']{1,256})\1"),
    (("sshpass",), ("-p",),
     r"\bsshpass\b[^\n|;&]{0,256}?\s-p[ \t]{0,16}([\"']?)([^\s\"']{1,256})\1"),
    (("curl",), ("-u", "--user"),
     r"\bcurl\b[^\n|;&]{0,256}?\s(?:-u[ \t]{0,16}|--user[ \t=]{1,16})([\"']?)[^\s:\"']{0,256}:"
     r"([^\s\"']{1,256})\1"),
    (("--pass",), ("--pass",),
     r"(?i)(?<![\w-])--[a-z-]{0,40}pass(?:word|wd|phrase)?(?:[ \t]{1,16}|=)([\"']?)"
     r"([^\s\"']{1,256})\1"),
)
_BEARER_TRIGGERS = ("bearer", "token")
_BEARER = r"(?i)\b(?:bearer|token)\s{1,16}([A-Za-z0-9._~+/-]{20,}=*)"
_AUTH_BASIC = (r"(?i)\bauthorization\s{0,16}[:=]\s{0,16}[\"']?basic\s{1,16}"
               r"([A-Za-z0-9+/]{12,}=*)")

# `name = value` / `name: value` where the name says it holds a secret.
_ASSIGNMENT_TRIGGERS = ("pass", "pw", "secret", "token", "key", "credential")
# A bare "pass" counts only before a non-letter (not passes), and (checked in
# _weak_pass) at the start of a name, after a separator or after pg/db/my (DB_PASS,
# PGPASS), so compass and bypass do not.
# A value may sit on the next line after "=" only when quoted, so a shell line
# `PASSWORD=` followed by a command is not read as one. A tokenizer (tokenizer_class,
# tokenization) splits text: it holds no token.
_SECRET_NAME = (
    r"[\w.-]{0,64}?(?:pass(?:word|wd|phrase|(?![a-z]))|pwd|(?<![a-z])pw(?![a-z])"
    r"|secret|token(?!i[sz](?:e|ation|ing))"
    r"|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)[\w.-]{0,64}")
_VALUE = r"(?:\"([^\"\n]{1,200})\"|'([^'\n]{1,200})'|([^\s\"'`,;)\]}]+))"
# A declaration that gives the type between the name and the value is read as one whose
# value is the type: Go's `var apiSecret string = "…"` and C#'s `ApiKey { get; set; } = "…"`
# too, whose type or accessors stand where a separator would; the literal after the type is
# then judged (see _TYPED_LITERAL).
_ASSIGNMENT = (
    r"(?i)(?<![\w.-])(" + _SECRET_NAME + r")"
    r"[\"']?[ \t]{0,64}(?:(?::=|=>|=)(?:[ \t]{0,64}\\?\r?\n(?=[ \t]{0,64}[\"']))?|:"
    r"|(?<=[ \t])(?=[A-Za-z_*\[][\w.*\[\]]{0,64}[ \t]{1,16}=[ \t]{0,16}[\"'])"
    r"|(?=\{[ \t]{0,16}(?:get|set|init)\b[\w; \t]{0,64}\}[ \t]{0,16}=[ \t]{0,16}[\"']))[ \t]{0,64}"
    + _VALUE
)
_QUOTED = r"(?:\"([^\"\n]{1,200})\"|'([^'\n]{1,200})')"
# Other forms that give a secret's name a value: (triggers, pattern, value group), where the
# pattern runs only when the text holds one of the triggers (in lower case), its groups before
# the value group hold the name (one of them matches), and the value is in that group (double
# quotes), the next (single quotes) or, where the form allows one, the one after (unquoted).
_NAMED_VALUE_PATTERNS: tuple[tuple[tuple[str, ...], str, int], ...] = (
    # A literal fallback or a setting by call: os.getenv("DB_PASSWORD", "…"), Laravel's
    # env('DB_PASSWORD', '…'), os.environ.get, ENV.fetch, props.getProperty("db.password",
    # "…"), System.setProperty, wp-config's define( 'DB_PASSWORD', '…' ), os.Setenv.
    (("getenv(", "get(", "env(", "fetch(", "setdefault(", "property(", "define(", "setenv(",
      "ordefault(", "config("),
     r"(?i)\b(?:getenv|get|env|fetch|setdefault|getProperty|setProperty|define|setenv"
     r"|getOrDefault|config)\([ \t]{0,16}[\"'](" + _SECRET_NAME + r")[\"'][ \t]{0,16},[ \t]{0,16}"
     r"(?:default[ \t]{0,4}=[ \t]{0,4})?" + _QUOTED, 2),
    # A literal after a lookup and a fallback operator: os.getenv("DB_PASSWORD") or "…".
    ((" or ", "||", "??"),
     r"(?i)\b(?:getenv|get|env|fetch)\([ \t]{0,16}[\"'](" + _SECRET_NAME + r")[\"'][ \t]{0,16}"
     r"(?:,[ \t]{0,16}(?:None|null|nil|undefined)[ \t]{0,16})?\)[ \t]{0,16}(?:or|\|\||\?\?)"
     r"[ \t]{1,16}" + _QUOTED, 2),
    # A literal after JavaScript's fallback operators: process.env.DB_PASSWORD || "…", ?? "…".
    (("||", "??"),
     r"(?i)\benv(?:\.(" + _SECRET_NAME + r")|\[[\"'](" + _SECRET_NAME + r")[\"']\])"
     r"[ \t]{0,16}(?:\|\||\?\?)[ \t]{0,16}" + _QUOTED, 3),
    # A literal default in a reference: the shell's and Compose's ${DB_PASSWORD:-…} (also
    # ${X-…}, ${X:=…}), Spring's ${db.password:…}; not ${X:?message}, ${X:+alternate} or a
    # substring, ${X:0:8}.
    (("${",),
     r"(?i)\$\{(" + _SECRET_NAME + r")(?::?[-=]|:(?![?+]))[ \t]{0,4}"
     r"(?:\"([^\"\n}]{1,200})\"|'([^'\n}]{1,200})'"
     r"|(?![0-9]{1,9}(?::[0-9]{0,9})?\})([^}\s\"']{1,200}))(?=\})", 2),
    # A literal set through a subscript: os.environ["DB_PASSWORD"] = "…", app.config[
    # "SECRET_KEY"] = "…", Ruby's ENV['DB_PASSWORD'] = '…'.
    (("\"]", "']"),
     r"(?i)\[[ \t]{0,8}[\"'](" + _SECRET_NAME + r")[\"'][ \t]{0,8}\][ \t]{0,16}=(?![=>~])"
     r"[ \t]{0,16}" + _QUOTED, 2),
    # A name and a value given apart, as Kubernetes, ECS and Terraform list environment
    # variables: `- name: DB_PASSWORD` then `value: "…"` (YAML, on the next line),
    # {"name": "DB_PASSWORD", "value": "…"} (JSON), name = "API_TOKEN" then value = "…" (HCL),
    # and .NET's appSettings, <add key="ApiKey" value="…" />.
    # valueFrom (a secretKeyRef, an ARN) names where the secret is kept.
    (("value",),
     r"(?i)(?<![\w-])[\"']?(?:name|key)[\"']?[ \t]{0,16}[:=][ \t]{0,16}[\"']?("
     + _SECRET_NAME + r")"
     r"[\"']?[ \t]{0,16},?[ \t]{0,16}(?:\r?\n[ \t]{0,64}(?:-[ \t]{1,16})?)?"
     r"[\"']?value[\"']?[ \t]{0,16}[:=][ \t]{0,16}" + _VALUE, 2),
)
# What a type read as the value (str, Final[str, string | undefined, &str, Option<String>, a
# Rust lifetime's "&", `str=` written without spaces) may be followed by up to the `=` of a
# literal default; C#'s accessors after their "{".
_TYPE_START = r"[&*]?[A-Za-z_][\w.]*(?:[\[<][\w.]*)?\??=?$|&$"
_TYPED_LITERAL = (r"(?:[\w\[\]<>?|&*.,' \t]{0,128}?|(?<=\{)[\w; \t]{0,64}\})"
                  r"[ \t]{0,16}(?<![!<>=])=(?![=>~])[ \t]{0,16}"
                  r"(?:\"([^\"\n]{1,200})\"|'([^'\n]{1,200})')")
# Values that point at where a secret lives instead of holding it: ${VAR}, $(cmd),
# $UPPER_CASE or $lower_case variables, <placeholder>, {{ template }}, an ERB, JSP or PHP
# tag (<%= csrf_token %>, <?= $token ?>), {name}, %s, %(name)s, %VAR%, ***, *args, [] and an
# earlier [REDACTED…].
_REFERENCE = (
    r"\$(?:[{(]|[A-Z_][A-Z0-9_]*(?![A-Za-z0-9_])|[a-z_][a-z0-9_]*(?![A-Za-z0-9_]))"
    r"|<[A-Za-z_ .-]*>?$|<(?:%[=:-]?|\?(?:=|php))[ \t]"
    r"|\{[{%]|[{\[](?:[A-Za-z_]\w*\.|\*|[a-z_][a-z0-9_.]*(?![A-Za-z0-9])"
    r"|[A-Z_][A-Z0-9_.]*(?![A-Za-z0-9])|(?![A-Za-z0-9]))|\[REDACTED"
    r"|%(?:\(|[a-z]$|[A-Z_]+%)|\*+[a-z_]*$"
)
# Names that say "secret" on their own; a name that only holds "pass" is weaker.
_STRONG_NAME = (
    r"(?i)password|passwd|passphrase|pwd|(?<![a-z])pw(?![a-z])|secret|token|api[_-]?key"
    r"|access[_-]?key"
    r"|private[_-]?key|credential"
)
_SUBSCRIPT = r"[A-Za-z_][\w.]*\["
_BARE_PASS = r"(?:^|[_.-]|pg|db|my)pass(?![a-z])"
# A word (Final), an identifier in one case (last_pass, DEFAULT_PASS), a dotted name
# or a type (list[…]).
_CODE_VALUE = r"[A-Za-z_]+$|[a-z_][a-z0-9_]*$|[A-Z_][A-Z0-9_]*$|[A-Za-z_]\w*[.\[]"
# Names of the working folder (PWD, OLDPWD), whose value is a path, not a password.
_PATH_VALUE = r"(?:/|~|\.\.?/)[\w./~-]*$"
# A value that names a file holding the secret: a path (./creds/sa.json, ~/.ssh/id_ed25519,
# /etc/gcp/sa.json, C:\keys\sa.pfx; an absolute one of two parts or more or with an
# extension, so password: /Zq8kL2mN9p is still one), or a file name with an extension that
# credentials are kept in (service-account.json, tls.key, keystore.p12).
_FILE_VALUE = (r"(?:(?:~|\.{1,2}|[A-Za-z]:)[\\/]|/(?=[\w.~@+-]{1,255}[\\/]))"
               r"(?:[\w.~@+-]{0,255}[\\/]){0,32}[\w.~@+-]{0,255}$"
               r"|/[\w~@+-]{1,255}\.[A-Za-z0-9]{1,10}$"
               r"|[\w-][\w.-]{0,200}\.(?:json|pem|key|p12|pfx|crt|cer|der|jks|keystore|p8|ppk"
               r"|pub|gpg|asc|kdbx|txt|ya?ml|toml|ini|env|conf|cfg|properties)$")
# Values that say where a secret is kept, not what it is: a secret manager's reference
# (GCP's projects/…/secrets/…/versions/…, bank-vaults' vault:secret/data/db#password,
# 1Password's op://vault/item/field, berglas' sm://project/secret, vals' ref+vault://…),
# an ARN (arn:aws:secretsmanager:…) and an Azure Key Vault secret's URL.
_SECRET_REFERENCE = (
    r"projects/[\w.-]{1,128}/secrets/[\w.-]{1,255}(?:/versions/[\w.-]{1,64})?$"
    r"|vault:[\w.-]{1,128}(?:/[\w.-]{1,128}){1,16}(?:#[\w.-]{1,128}){0,2}$"
    r"|op://[^/\s][^/\n]{0,127}(?:/[^/\n]{1,128}){2,3}$"
    r"|(?:sm|berglas)://[\w.-]{1,128}(?:/[\w.-]{1,128}){1,16}(?:#[\w.-]{1,64})?$"
    r"|ref\+[a-z0-9]{1,32}://\S{1,1024}$"
    r"|arn:aws[\w-]{0,16}:[\w-]{1,64}:[\w-]{0,32}:[0-9]{0,12}:\S{1,1024}$"
    r"|https://[\w-]{1,64}\.vault\.azure\.net/secrets/\S{1,1024}$"
)
# Names that hold facts about a secret, not the secret itself (TOKEN_PREFIX, token_scope,
# TOKEN_ALGORITHM, secrets_backend, TOKEN_STORAGE, a pattern that checks one: PASSWORD_REGEX,
# token_re), and names of a Kubernetes secret that holds it (Helm's existingSecret,
# passwordSecretRef). A short one must be a word of its own (TOKEN_ID, tokenUrl, max_len), so
# PASSWORD_ADMIN holds no "min"; and a secret's id as Vault's AppRole writes it (secret_id,
# VAULT_SECRET_ID) is a credential, while AWS's SecretId names a secret.
_NAME_EXCEPTIONS = (
    r"(?:^|(?<=[_.-])|(?<=[a-z0-9])(?=[A-Z]))"
    r"(?i:id|ids|len|url|uri|ttl|env|var|max|min|ref|alg|dir|re)$"
    r"(?<![Ss][Ee][Cc][Rr][Ee][Tt][_.-][Ii][Dd])"
    r"|(?i:name|names|path|file|count|type|length|limit|size"
    r"|expiry|expires|expires_in|expiration|header|field|policy|manager|store|storage"
    r"|rotation|hash|_hashed|hint|prompt|label|usage|kind|format|endpoint"
    r"|scope|scopes|algorithm|algorithms|prefix|suffix|issuer|audience|version|mode"
    r"|provider|backend|method|regex|regexp|pattern|placement|location|source)$"
    r"|^(?i:existing)"
)
_PLACEHOLDER_VALUES = frozenset({
    "none", "null", "nil", "undefined", "true", "false", "str", "string", "int", "number",
    "bool", "boolean", "bytes", "any", "optional", "secretstr", "required", "redacted",
    "your_password", "example", "xxx", "xxxx", "****", "...", "<redacted>",
    # GitHub Actions: `permissions: id-token: write`, `secrets: inherit`.
    "read", "write", "read-all", "write-all", "inherit",
    # A setting that turns a secret on or off: `secret: enabled`.
    "enabled", "disabled", "enable", "disable", "auto",
    # Where a browser keeps a token: `token: 'localStorage'`.
    "localstorage", "sessionstorage", "indexeddb",
})
# A dependency's version or source, where a package's name holds a secret word
# ("jsonwebtoken": "^9.0.2", tokenizers==0.15.2, SecretStorage = "3.3.3"): a version with a
# dot or after a range operator (1.2, ^9, ~> 2, >= 1.2 < 2, 1.x, `>=1.2, <2`, `^1 || ^2`),
# `*`, `latest`, or a git, file or workspace reference. Digits and letters without a dot
# (2b8472019384, 7rc123456) are no version.
# A pre-release or build suffix is a number or a word of those (1.0.0-rc.1, 2.0b1, 1.0+build.5).
_VERSION = (r"(?:[~^=<>!]{1,3}[ \t]{0,4}v?[0-9]{1,9}(?:\.(?:[0-9]{1,9}|[x*X])){0,4}"
            r"|v?[0-9]{1,9}(?:\.(?:[0-9]{1,9}|[x*X])){1,4})"
            r"(?:[-+.]?(?:[0-9]|a|b|rc|alpha|beta|pre|dev|post|next|canary|nightly|build"
            r"|snapshot)[0-9.]{0,32})?$")
_VERSION_WORDS = frozenset({"*", "x", "latest", "next", "canary", "beta", "stable", "nightly"})
_PACKAGE_SOURCES = ("workspace:", "file:", "link:", "portal:", "patch:", "npm:", "github:",
                    "gitlab:", "bitbucket:", "git+", "git://", "catalog:")
# Under a secret's own name (password, API_KEY, "@octokit/auth-token") a version or a source
# counts only in a file that lists dependencies; elsewhere only under a package's name
# (jsonwebtoken, tokenizers, SecretStorage), whose last word is no secret word, after pip's
# "==" (python-keycloak-token==1.0.0rc1), which no assignment is written with, or when it is
# digits and dots with a range operator or two dots (a README's "auth-token": "^4.0.0"),
# which no password is: password: 1.0.0rc1, password: 3.14 and api_key: link:… are found.
_NUMERIC_VERSION = (r"(?:[~^=<>!]{1,3}[ \t]{0,4}v?[0-9]{1,9}(?:\.(?:[0-9]{1,9}|[x*X])){0,3}"
                    r"|v?[0-9]{1,9}(?:\.[0-9]{1,9}){2,3})$")
_DEPENDENCY_FILES = frozenset({
    "package.json", "pyproject.toml", "cargo.toml", "gemfile", "go.mod", "composer.json",
    "pipfile", "setup.cfg", "environment.yml", "environment.yaml", "constraints.txt",
    "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock",
    "deno.json", "deno.lock", "cargo.lock", "poetry.lock", "uv.lock", "pdm.lock", "gemfile.lock",
    "composer.lock", "pipfile.lock", "go.sum", "pubspec.yaml", "pubspec.lock", "mix.exs",
    "mix.lock"})
# Invisible characters that can split a name or token (pass\u200bword, AKIA\u00adIOSF…) to
# hide it: the soft hyphen, the combining grapheme joiner, the Mongolian vowel separator,
# zero-width spaces and joiners, the word joiner and invisible operators, the BOM.
_INVISIBLE = frozenset("\u00ad\u034f\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064"
                       "\ufeff")


def find_secrets(text: str, placeholders: bool = True,
                 path: str = "") -> list[tuple[str, int, int]]:
    """Every secret span in ``text`` as ``(kind, start, end)``, sorted, non-overlapping.

    ``placeholders=False`` leaves out well-known placeholders and documented
    example keys (see ``is_placeholder``), and a value that is prose, such as a
    UI string (``"password": "Forgot your password?"``). ``path``, the file the
    text is written to, tells a translation file (``locales/de.yml``), where a
    single word (``password: Passwort``) is prose too.
    """
    if not text:
        return []
    if not text.isascii() and not _INVISIBLE.isdisjoint(text):
        return _find_visible(text, placeholders, path)
    lower = text.lower()
    locale = is_locale_path(path)
    prose_in = None if placeholders else locale
    literal = "" if locale else _literal_file(path)
    spans = (list(_token_spans(text, lower)) + list(_bearer_spans(text, lower))
             + list(_assignment_spans(text, lower, prose_in, is_dependency_path(path),
                                      literal))
             + list(_cli_spans(text, lower)) + list(_file_format_spans(text, lower)))
    if not placeholders:
        spans = [s for s in spans if not is_placeholder(text, *s)]
        if spans and is_sample_path(path):
            spans = [s for s in spans if s[0] not in _NAMED_KINDS or _strong_value(text[s[1]:s[2]])]
        if spans and "aiza" in lower and ("firebase" in lower or "messagingsenderid" in lower):
            config = "firebaseapp.com" in lower or "messagingsenderid" in lower
            spans = [s for s in spans if not _firebase_key(text, s[1], s[2], config)]
        if spans and "eyj" in lower:
            spans = [s for s in spans if not _public_jwt(text[s[1]:s[2]])]
    return _merge(spans)


# Secrets found by the name they are given, whose value can be anything: in a sample file
# (.env.example) one counts only when it looks like a real password, not a stand-in
# (JWT_SECRET=supersecret, SESSION_SECRET=keyboard cat, postgres://myuser:mypassword@…).
_NAMED_KINDS = frozenset({"assignment", "url-password", "cli-password", "pgpass-password",
                          "netrc-password"})
# Sample and template files, by name: .env.example, .env.sample, .env.template, .env.dist,
# config.example.yml, settings.sample.json, example.env.
_SAMPLE_WORDS = frozenset({"example", "examples", "sample", "samples", "template", "dist", "tmpl",
                           "tpl"})
# A Firebase web config (authDomain: "….firebaseapp.com", messagingSenderId) holds a Google
# API key that is public by design: it ships to every browser and names the project, and
# Firebase's security rules, not the key, guard the data. Redact masks it all the same.
# Only the key given as the config's apiKey is (apiKey: "AIza…" beside authDomain:
# "….firebaseapp.com", or NEXT_PUBLIC_FIREBASE_API_KEY=AIza…): another Google key in the same
# text (GEMINI_API_KEY, a Maps server key) is a secret.
_GOOGLE_KEY = r"AIza[0-9A-Za-z_-]{35}$"
_FIREBASE_KEY_NAME = (r"(?<![\w$])[\"']?(?:(apiKey)|\w{0,64}?(?i:firebase)\w{0,64}?"
                      r"(?i:_?api_?key))[\"']?[ \t]{0,8}[:=][ \t]{0,8}[\"'`]?$")


def _firebase_key(text: str, start: int, end: int, config: bool) -> bool:
    """Whether ``text[start:end]`` is the API key of a Firebase web config: the value of a
    name that says so, or, in a ``config`` (the text names its firebaseapp.com domain or its
    messagingSenderId), of its ``apiKey``."""
    if not _regex(_GOOGLE_KEY).match(text[start:end]):
        return False
    name = _regex(_FIREBASE_KEY_NAME).search(text[max(0, start - 128):start].rpartition("\n")[2])
    return name is not None and (config or name.group(1) is None)


# Supabase's anon key is public by design too: a JWT for the role "anon" that ships to every
# browser, whose rights row-level security limits. Its service_role key is a secret.
_JWT_PAYLOAD = r"eyJ[A-Za-z0-9_-]{8,4096}\.(eyJ[A-Za-z0-9_-]{8,65536})\.[A-Za-z0-9_-]{16,}$"


def _public_jwt(value: str) -> bool:
    """Whether ``value`` is a JWT that is public by design: a Supabase anon key."""
    match = _regex(_JWT_PAYLOAD).match(value)
    if match is None:
        return False
    import json  # here: only a JWT needs it

    payload = match.group(1).replace("-", "+").replace("_", "/")
    try:
        claims = json.loads(_base64_text(payload + "=" * (-len(payload) % 4)))
    except (ValueError, RecursionError):
        return False
    return (isinstance(claims, dict) and claims.get("iss") == "supabase"
            and claims.get("role") == "anon")


def is_sample_path(path: str) -> bool:
    """Whether ``path`` names a sample or template file (``.env.example``, ``.env.sample``,
    ``config.example.yml``), whose values are stand-ins for the real ones."""
    parts = path.lower().replace("\\", "/").rpartition("/")[2].lstrip(".").split(".")
    if parts[-1] == "env" and parts[0] in _SAMPLE_WORDS:  # example.env, sample.env
        return True
    return not _SAMPLE_WORDS.isdisjoint(parts[1:])


# Files that hold literals, never code: a dotenv file (.env, .env.production, prod.env; a
# sample file, .env.example, has its own rule), a Java .properties file and an .ini file, where
# a value runs to the end of its line. Spring's and Bean Validation's message bundles
# (messages.properties, ValidationMessages.properties) hold UI text, as translation files do.
_MESSAGE_BUNDLES = ("messages", "validationmessages")


def is_literal_path(path: str) -> bool:
    """Whether ``path`` names a file whose values are literals, never code: a dotenv file
    (``.env``, ``.env.local``, ``prod.env``), a ``.properties`` or an ``.ini`` file."""
    return bool(_literal_file(path))


def _literal_file(path: str) -> str:
    """"env" for a dotenv file, "line" for one whose values run to the end of the line
    (``.properties``, ``.ini``), "" for any other file (see ``is_literal_path``)."""
    name = path.lower().replace("\\", "/").rpartition("/")[2]
    if not name or is_sample_path(path):
        return ""
    if name == ".env" or name.startswith(".env.") or name.endswith(".env"):
        return "env"
    if name.endswith(".ini") or (name.endswith(".properties")
                                 and not name.startswith(_MESSAGE_BUNDLES)):
        return "line"
    return ""


def _strong_value(value: str) -> bool:
    """Whether ``value`` mixes what a real password mixes: three of lower case, upper case,
    digits and symbols in eight characters or more, or a random-looking run."""
    classes = (any(c.islower() for c in value) + any(c.isupper() for c in value)
               + any(c.isdigit() for c in value) + any(not c.isalnum() for c in value))
    return (len(value) >= 8 and classes >= 3) or _looks_random(value)


def _find_visible(text: str, placeholders: bool, path: str) -> list[tuple[str, int, int]]:
    """Spans found with invisible characters removed, mapped back onto ``text``."""
    where = [i for i, ch in enumerate(text) if ch not in _INVISIBLE]
    visible = "".join(text[i] for i in where)
    return _merge([(kind, where[start], where[end - 1] + 1)
                   for kind, start, end in find_secrets(visible, placeholders, path)
                   if end > start])


def redact(text: str) -> str:
    """``text`` with every secret replaced by ``[REDACTED:<kind>]``."""
    spans = find_secrets(text)
    if not spans:
        return text
    parts = []
    last = 0
    for kind, start, end in spans:
        parts.append(text[last:start])
        parts.append(f"[REDACTED:{kind}]")
        last = end
    parts.append(text[last:])
    return "".join(parts)


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    import math  # here: only bearer-token candidates need it, and loading it costs 0.3 ms

    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in map(value.count, set(value)))


def _regex(pattern: str) -> re.Pattern[str]:
    compiled = _CACHE.get(pattern)
    if compiled is None:
        import re  # only once a trigger appears: most text has none

        compiled = _CACHE[pattern] = re.compile(pattern)
    return compiled


_CACHE: dict[str, re.Pattern[str]] = {}


def _triggered(lower: str, triggers: tuple[str, ...]) -> bool:
    return any(t in lower for t in triggers)


def _token_spans(text: str, lower: str) -> Iterator[tuple[str, int, int]]:
    for kind, triggers, pattern, group in _PATTERNS:
        if _triggered(lower, triggers):
            for match in _regex(pattern).finditer(text):
                yield kind, match.start(group), match.end(group)
    if "ls0tls1crudjti" in lower:
        for match in _regex(_BASE64_KEY).finditer(text):
            if b"PRIVATE KEY-----" in _base64_text(match.group(0)[:64]):
                yield "private-key", match.start(), match.end()
    if "://" in lower:
        for match in _regex(_URL_PASSWORD).finditer(text):
            password = match.group(1)
            # host:8080/path@… and host:8080?email=a@b are a port and a path or a query, not
            # a password.
            if not _regex(r"[0-9]+[/?#]").match(password):
                yield "url-password", match.start(1), match.end(1)


def _base64_text(value: str) -> bytes:
    """``value`` decoded from base64, as much of it as is whole; nothing if it is not base64."""
    import binascii  # here: only a base64 key block needs it

    try:
        return binascii.a2b_base64(value[:len(value) - len(value) % 4])
    except (binascii.Error, ValueError):
        return b""


# A line of a PostgreSQL password file (~/.pgpass): host:port:database:user:password, where
# the port is a number or "*" and a ":" in a field is written "\:".
_PGPASS = (r"(?m)^[ \t]{0,16}[A-Za-z0-9_.*-]{1,253}:(?:[0-9]{1,5}|\*)(?::(?:[^\s:\\]|\\.){1,63})"
           r"{2}:((?:[^\s:\\]|\\.){1,256})[ \t]{0,16}\r?$")
# An entry of ~/.netrc (curl, git, ftp): machine HOST login USER [account …] password PW,
# on one line or several; the keywords are lower case, and a password of lower-case
# letters only is taken for prose ("machine learning login flows password rules").
_NETRC = (r"(?m)^[ \t]{0,16}machine\s{1,64}\S{1,253}\s{1,64}login\s{1,64}\S{1,253}"
          r"(?:\s{1,64}(?:account|port)\s{1,64}\S{1,253}){0,2}\s{1,64}password\s{1,64}"
          r"(\S{1,256})")


def _file_format_spans(text: str, lower: str) -> Iterator[tuple[str, int, int]]:
    for kind, present, pattern in (("pgpass-password", lower.count(":") >= 4, _PGPASS),
                                   ("netrc-password", "machine" in lower and "login" in lower,
                                    _NETRC)):
        if present:
            for match in _regex(pattern).finditer(text):
                value = match.group(1)
                prose = kind == "netrc-password" and value.isalpha() and value.islower()
                if _is_secret_value(value) and not prose and not value.replace(".", "").isdigit():
                    yield kind, match.start(1), match.end(1)


def _cli_spans(text: str, lower: str) -> Iterator[tuple[str, int, int]]:
    for triggers, options, pattern in _CLI_PATTERNS:
        if _triggered(lower, triggers) and _triggered(lower, options):
            for match in _regex(pattern).finditer(text):
                value = match.group(2)
                # "--password options" in prose: a secret has more than lower-case letters.
                prose = value.isalpha() and value.islower()
                if not prose and not value.startswith("-") and _is_secret_value(value):
                    yield "cli-password", match.start(2), match.end(2)


# The pre-checks below look at this many places at most; past that the pattern runs (it
# is linear too), so a text made of trigger words costs no more than the pattern itself.
_PRE_CHECKS = 256


def _word_after(lower: str, words: tuple[str, ...], min_length: int) -> bool:
    """Whether one of ``words`` is followed by a run of at least ``min_length`` non-spaces."""
    for word in words:
        start = lower.find(word)
        for _ in range(_PRE_CHECKS):
            if start < 0:
                break
            rest = lower[start + len(word):start + len(word) + 2 * min_length].split()
            if rest and len(rest[0]) >= min_length:
                return True
            start = lower.find(word, start + 1)
        else:
            return True
    return False


def _name_before_separator(lower: str) -> bool:
    """Whether a secret-sounding name stands just before some ``=`` or ``:``, or before the
    type (``var api_secret string =``) or the accessors (``ApiKey { get; set; } =``) that
    precede an ``=``."""
    for separator in ("=", ":"):
        end = lower.find(separator)
        for _ in range(_PRE_CHECKS):
            if end < 0:
                break
            before = lower[max(0, end - 96):end].rstrip(" \t\"':=>")
            if separator == "=" and before.endswith("}"):
                before = before.rpartition("{")[0]
            name = before.split()
            if name and (_triggered(name[-1], _ASSIGNMENT_TRIGGERS) or (
                    separator == "=" and len(name) > 1
                    and _triggered(name[-2], _ASSIGNMENT_TRIGGERS))):
                return True
            end = lower.find(separator, end + 1)
        else:
            return True
    return False


def _bearer_spans(text: str, lower: str) -> Iterator[tuple[str, int, int]]:
    if _word_after(lower, _BEARER_TRIGGERS, 20):
        for match in _regex(_BEARER).finditer(text):
            if _looks_random(match.group(1)):
                yield "bearer-token", match.start(1), match.end(1)
    if "authorization" in lower:
        for match in _regex(_AUTH_BASIC).finditer(text):
            yield "basic-auth", match.start(1), match.end(1)


def _assignment_spans(text: str, lower: str, prose_in: bool | None, dependencies: bool,
                      literal: str = "") -> Iterator[tuple[str, int, int]]:
    """``prose_in``: None keeps values that are prose, False leaves them out, True leaves
    out single words too (a translation file). ``dependencies``: the text is a file that
    lists dependencies, where a version is one under any name. ``literal``: the text is a
    file that holds literals (see ``_literal_file``), where an unquoted value is no code,
    type or prose, and, for "line", runs to the end of its line."""
    if not _triggered(lower, _ASSIGNMENT_TRIGGERS):
        return
    for triggers, pattern, first in _NAMED_VALUE_PATTERNS:
        if _triggered(lower, triggers):
            for match in _regex(pattern).finditer(text):
                name = next(g for g in range(1, first) if match.group(g) is not None)
                value = next(g for g in range(first, match.re.groups + 1)
                             if match.group(g) is not None)
                start, end = match.start(value), match.end(value)
                if _judge(text, match.group(name), match.start(name), match.end(name),
                          2 + value - first, start, end, prose_in, dependencies, literal):
                    yield "assignment", start, end
    if not _name_before_separator(lower):
        return
    line_end = 0  # in a .properties or .ini file, where the last value read ends
    for match in _regex(_ASSIGNMENT).finditer(text):
        if match.start() < line_end:
            continue  # inside a value read to the end of its line
        if text.startswith("${", match.start(1) - 2):
            continue  # ${TOKEN:+…}, ${TOKEN:0:8}: a reference, whose default is read above
        group = next(g for g in (2, 3, 4) if match.group(g) is not None)
        start, end = match.start(group), match.end(group)
        if group == 4 and literal == "line":
            stop = text.find("\n", end, end + 512)
            line = text[end:stop if stop >= 0 else end + 512]
            end += len(line.split(" ;", 1)[0].split(" #", 1)[0].rstrip())
            line_end = end
        elif group == 4 and not literal and "=" not in text[match.end(1):start] and (
                match.group(4) == "{" or _regex(_TYPE_START).match(match.group(4))):
            # A type, then a literal default: `db_password: str = "…"`, `val apiKey: String =
            # "…"`; the literal is the value.
            after = end - 1 if match.group(4).endswith("=") else end
            typed = _regex(_TYPED_LITERAL).match(text, after, min(len(text), after + 512))
            if typed is not None:
                group = 2 if typed.group(1) is not None else 3
                start, end = typed.start(group - 1), typed.end(group - 1)
        if _judge(text, match.group(1), match.start(1), match.end(1), group, start, end,
                  prose_in, dependencies, literal):
            yield "assignment", start, end


def _judge(text: str, name: str, name_start: int, name_end: int, group: int, start: int,
           end: int, prose_in: bool | None, dependencies: bool, literal: str = "") -> bool:
    """Whether the value ``text[start:end]`` given to the secret's ``name`` is a secret;
    ``group`` 2 or 3 for a quoted value, 4 for an unquoted one. In a file of literals an
    unquoted value is read as a quoted one, and is prose only under a message's name
    (PASSWORD_RESET_SUBJECT)."""
    quoted = group != 4 or bool(literal)
    value = text[start:end]
    if _regex(_NAME_EXCEPTIONS).search(name.rstrip("\"'")) or not _is_secret_value(value):
        return False
    if _is_version(value) and (dependencies or value[0] == "=" or not _secret_name(name)
                               or _is_version(value, numeric=True)):
        return False
    if not quoted and _is_code(name, value, text[name_start:start], text[end:end + 16]):
        return False  # unquoted: a variable or a type, not a literal
    if quoted and (_names_a_key(value, quoted=True) or _repeats_name(name, value)):
        return False
    if "pwd" in name.lower() and _regex(_PATH_VALUE).match(value):
        return False
    if _regex(_FILE_VALUE).match(value) or _regex(_SECRET_REFERENCE).match(value):
        return False  # where the secret is kept
    if not _regex(_STRONG_NAME).search(name) and (
            not _regex(_BARE_PASS).search(name.lower()) if literal
            else _weak_pass(text, name, name_end, group, start, value)):
        return False
    if prose_in is None or (literal and group == 4 and not _names_a_message(name)):
        return True
    return not _is_prose(
        *_whole_value(text, name_start, name_end, group, start, value), name, prose_in)


def _whole_value(text: str, name_start: int, name_end: int, group: int, start: int,
                 value: str) -> tuple[str, bool]:
    """The value as its file format reads it, and whether it ends a string that the name
    begins: an unquoted one (YAML, ``.properties``) runs to the end of its line, less a
    `` #`` comment, or where the name opens a string (``"token: invalid signature"``), to
    that string's end."""
    if group != 4:
        return value, False
    quote = text[name_start - 1:name_start] if name_start else ""
    if quote in ("'", '"') and quote not in text[name_end:start]:
        end = text.find(quote, start, start + 512)
        if end >= 0 and "\n" not in text[start:end]:
            return text[start:end], True
    end = text.find("\n", start, start + 512)
    line = text[start:end if end >= 0 else start + 512]
    return line.split(" #", 1)[0].strip(), False


# A word of prose: letters in any script, with inner apostrophes or hyphens (l'adresse,
# e-mail), and a comma or semicolon after it; a number or an interpolation stands as a word.
_PROSE_WORD = r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*[,;]?$"
_PROSE_OTHER = r"\d+[,;]?$|%[sd]$|%\{\w+\}$|\{\{?\s*\w+\s*\}\}?$|:\w+$"
# A word of an English sentence, which may end in digits (Argon2, SHA256) or punctuation.
_SENTENCE_WORD = r"[(\"'`]?[A-Za-z]+(?:['-][A-Za-z]+)*[0-9]{0,4}[)\"'`]?[,;:.!?\u2026]?$|[0-9]+$"
# Short words that sentences hold and diceware passphrases (correct horse battery staple)
# do not.
_FUNCTION_WORDS = frozenset({
    "a", "an", "the", "be", "is", "are", "was", "were", "been", "it", "its", "to", "of", "in",
    "on", "at", "by", "for", "with", "from", "as", "and", "or", "not", "no", "must", "should",
    "can", "cannot", "will", "may", "before", "after", "when", "if", "than", "this", "that",
    "each", "every", "per", "into", "you", "your", "we", "our", "least",
})
# Words that, after the secret word, make a name a message's: PASSWORD_RESET_SUBJECT,
# TOKEN_EXPIRED (but RESET_TOKEN holds a token).
_MESSAGE_WORDS = frozenset({
    "subject", "message", "msg", "text", "title", "heading", "error", "err", "expired",
    "invalid", "missing", "required", "mismatch", "help", "description", "desc",
    "placeholder", "tooltip", "notice", "warning", "success", "failed", "failure", "changed",
    "reset", "sent", "body", "caption", "button", "link", "info",
})


def _names_a_message(name: str) -> bool:
    parts = _regex(r"[A-Za-z0-9]+").findall(name.lower())
    secret = [i for i, p in enumerate(parts) if _triggered(p, _ASSIGNMENT_TRIGGERS)]
    return bool(secret) and not _MESSAGE_WORDS.isdisjoint(parts[secret[-1] + 1:])


def _is_prose(value: str, in_string: bool, name: str, translation: bool) -> bool:
    """Whether ``value`` reads as words for people, not as a password.

    Words with spaces (``Mot de passe``, ``Forgot your password?``, ``At least 8
    characters``) that begin with a capital or end a sentence; a sentence
    (``password: must be at least 8 characters``, ``- token: rotate refresh tokens on
    use``), three words or more, one of them a short word of English that passphrases
    lack (``be``, ``on``, ``with``); the rest of a message that the name begins
    (``ValueError("token: invalid signature")``); in a translation file any letters-only
    value, one word too (``Passwort``). Never under an upper-case name (``DB_PASSWORD``)
    unless it names a message (``TOKEN_EXPIRED``): environment variables hold settings,
    not UI text, so ``DB_PASSWORD='Correct horse'`` is a passphrase.
    """
    text = value.strip().rstrip(".!?:\u2026")
    words = text.split()
    if not words or len(text) > 400:
        return False
    setting = (name.strip("\"'").isupper() and not in_string
               and not _names_a_message(name))
    if not all(_regex(_PROSE_WORD).match(w) or _regex(_PROSE_OTHER).match(w) for w in words):
        return not setting and _is_sentence(words)
    lettered = sum(1 for w in words if _regex(_PROSE_WORD).match(w))
    if translation:
        return lettered >= 1
    if lettered < 2 or setting:
        return False
    return (in_string or value[0].isupper() or value.rstrip()[-1] in ".!?:\u2026"
            or _is_sentence(words))


def _is_sentence(words: list[str]) -> bool:
    return 3 <= len(words) <= 80 and all(_regex(_SENTENCE_WORD).match(w) for w in words) and (
        not _FUNCTION_WORDS.isdisjoint(w.strip("()\"'`,;:.!?\u2026").lower() for w in words))


# Folders and file names of translation files (locales/fr.json, i18n/de.yml, en.po,
# values-fr/strings.xml, messages_de.properties, app_en.arb).
_TRANSLATION_DIRS = frozenset({"locales", "locale", "i18n", "l10n", "lang", "langs",
                               "languages", "translations", "translation", "messages", "intl"})
_TRANSLATION_EXTENSIONS = frozenset({"po", "pot", "arb", "strings", "stringsdict", "xlf",
                                     "xliff", "resx"})
_DATA_EXTENSIONS = frozenset({"json", "yml", "yaml", "toml", "properties", "ini", "js", "ts",
                              "mjs", "cjs", "xml", "php", "rb"})
_LANGUAGES = frozenset({
    "af", "am", "ar", "az", "be", "bg", "bn", "bs", "ca", "cs", "cy", "da", "de", "el", "en",
    "es", "et", "eu", "fa", "fi", "fil", "fr", "ga", "gl", "gu", "he", "hi", "hr", "hu", "hy",
    "id", "is", "it", "ja", "ka", "kk", "km", "kn", "ko", "lo", "lt", "lv", "mk", "ml", "mn",
    "mr", "ms", "mt", "nb", "ne", "nl", "nn", "no", "pa", "pl", "pt", "ro", "ru", "si", "sk",
    "sl", "sq", "sr", "sv", "sw", "ta", "te", "th", "tl", "tr", "uk", "ur", "uz", "vi", "zh", "zu",
})


def is_locale_path(path: str) -> bool:
    """Whether ``path`` names a translation file (``locales/fr.json``, ``de.yml``, ``en.po``)."""
    parts = [p for p in path.lower().replace("\\", "/").split("/") if p]
    if not parts:
        return False
    stem, _, extension = parts[-1].rpartition(".")
    if extension in _TRANSLATION_EXTENSIONS:
        return True
    if extension not in _DATA_EXTENSIONS:
        return False
    if not _TRANSLATION_DIRS.isdisjoint(parts[:-1]) or (
            stem == "strings" and len(parts) > 1 and parts[-2].startswith("values")):
        return True
    # The last part of the name is a language tag: fr, de-DE, pt_BR, messages_de, app.fr.
    tag = _regex(r"(?:^|[._-])([a-z]{2,3})(?:[-_][a-z0-9]{2,4})?$").search(stem)
    return tag is not None and tag.group(1) in _LANGUAGES


def _weak_pass(text: str, name: str, name_end: int, group: int, start: int,
               value: str) -> bool:
    """Whether a name that is only "pass" (a loop pass, a test pass) holds code, not a secret.

    Such names are common in code and prose ("First pass: …", ``last_pass = n``), so
    they count only with a value that is not an identifier or a type, and a bare
    "pass" only with "=" or before a quoted value that looks like a password.
    """
    name = name.lower()
    if not _regex(_BARE_PASS).search(name):
        return True
    between = text[name_end:start]
    if "=" not in between and name == "pass":
        # "pass:" only before a quoted value that looks like a password, as nodemailer's
        # auth: { user, pass: '…' } holds it; not a test report's "pass": "12/12".
        return group == 4 or not _strong_value(value)
    return bool(_regex(_CODE_VALUE).match(value))


def is_dependency_path(path: str) -> bool:
    """Whether ``path`` names a file that lists dependencies (``package.json``,
    ``requirements-dev.txt``, ``requirements/base.txt``, ``Cargo.toml``, a lock file)."""
    parts = path.lower().replace("\\", "/").split("/")
    name = parts[-1]
    if name in _DEPENDENCY_FILES or name.endswith((".lock", ".gemspec")):
        return True
    return name.endswith(".txt") and ("requirements" in name or (
        len(parts) > 1 and parts[-2] == "requirements"))


def _secret_name(name: str) -> bool:
    """Whether ``name``'s last word is a secret word (``password``, ``API_KEY``,
    ``secretToken``), not a package's name that holds one (``jsonwebtoken``, ``js-tokens``,
    ``SecretStorage``)."""
    parts = _regex(_WORD_PARTS).findall(name)
    return bool(parts) and parts[-1].lower() in _SECRET_NAME_WORDS


def _is_version(value: str, numeric: bool = False) -> bool:
    """Whether ``value`` is a dependency's version, range or source (see ``_VERSION``);
    ``numeric``, one of digits and dots only (see ``_NUMERIC_VERSION``)."""
    if not numeric and value.lower().startswith(_PACKAGE_SOURCES):
        return True
    pieces = _regex(r"([~^=<>!])[ \t]+").sub(
        r"\1", value.replace("||", " ").replace(",", " ")).split()
    return bool(pieces) and len(pieces) <= 8 and all(
        _regex(_NUMERIC_VERSION).match(p) if numeric
        else p.lower() in _VERSION_WORDS or _regex(_VERSION).match(p) for p in pieces)


# A count in thousands or millions (128k, 1.5M), as a model's token limits are given, and a
# rate, as a rate limiter's token bucket is set (100/s, 10/min, 5000 / hour).
_COUNT = r"[0-9]{1,9}(?:\.[0-9]{1,3})?[kKmM]$"
_RATE = (r"[0-9]{1,9}(?:\.[0-9]{1,3})?[ \t]{0,2}/[ \t]{0,2}(?:ms|s|secs?|seconds?|m|mins?|minutes?"
         r"|h|hrs?|hours?|d|days?|w|weeks?)$")


def _is_secret_value(value: str) -> bool:
    low = value.lower()
    if len(value) < 4 or low in _PLACEHOLDER_VALUES or value.isdigit():
        return False
    if not any(c.isalnum() for c in value) and " " in value:  # a tokenizer's ",;}) +-*/"
        return False
    if _regex(_COUNT).match(value) or _regex(_RATE).match(value):  # tokens: 128k, 100/s
        return False
    # A call (bcrypt(...), getpass()) or a lookup (os.environ[...]) computes the secret.
    if "(" in value or value.startswith(("os.", "process.env", "env.")):
        return False
    # A type or an index (list[str], tokens[0]) in code, not a secret.
    if _regex(_SUBSCRIPT).match(value):
        return False
    return not (value[0] in "$<{%[*" and _regex(_REFERENCE).match(value))


# An unquoted value that names where a secret is kept: a dotted path (settings.SECRET_KEY,
# form.password.data, &args.secret, $this->key, Config::TOKEN, user?.token, user!.token)
# or a YAML tag (!vault).
_CODE_PATH = r"[&*]?[A-Za-z_$][\w$]*(?:(?:[?!]?\.|->|::)[A-Za-z_$][\w$]*)+[;]?$"
_YAML_TAG = r"![A-Za-z]+$"
# A type: generic (Option<String>, Vec<u8>), a reference (&str, &mut) or nullable (String?).
_TYPE = r"[A-Za-z_]\w*<|&[A-Za-z_]\w*$|[A-Z]\w*\?$"
# Built-in types, which also stand non-null (GraphQL String!) or bare (secret: Buffer).
_TYPE_NAMES = frozenset({"string", "str", "int", "integer", "float", "double", "number", "bool",
                         "boolean", "bytes", "byte", "buffer", "char", "text", "data", "uuid",
                         "object", "unknown", "void", "long", "id"})
# Keywords that begin an expression (password = await get_password(user)).
_KEYWORDS = frozenset({"await", "yield", "typeof", "async", "lambda", "function", "require",
                       "import", "this", "self", "super", "static", "readonly", "clone", "move"})
_WORD_PARTS = r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])"
_SECRET_WORDS = frozenset({"password", "passwd", "pwd", "pass", "secret", "token", "key",
                           "apikey", "credential", "credentials"})
_SECRET_NAME_WORDS = _SECRET_WORDS | {"pw", "passphrase"}


def _is_code(name: str, value: str, before: str = "", after: str = "") -> bool:
    """Whether an unquoted ``value`` is a reference in code rather than a literal secret.

    ``self.password = password`` (the value repeats the name), ``raw = hashed_password``
    or ``access_token: token`` (an identifier made of words, one of them a secret word),
    ``SECRET_KEY = settings.SECRET_KEY`` or ``user?.token`` (a dotted path),
    ``password: !vault |`` (a YAML tag), a type (``api_key: Option<String>``,
    ``password: &str``, ``token: String?``, ``password: String!``, ``accessToken:
    JwtPayload``), a keyword (``password = await …``), and an identifier inside an
    expression, which code would quote were it a literal: ``{ password: hashed }``,
    ``secret: Buffer;``, ``f(password=hashed)``. ``before`` is the text from the name to
    the value, ``after`` what follows the value.
    """
    if _regex(_CODE_PATH).match(value) or _regex(_YAML_TAG).match(value):
        return True
    if _regex(_TYPE).match(value) or value.rstrip("!").lower() in _TYPE_NAMES:
        return True
    if value in _KEYWORDS or _names_a_key(value):
        return True
    if not value.replace("_", "").isalnum() or value[0].isdigit():
        return False
    last = _regex(r"[\w]+$").search(name.rstrip("\"'"))
    if last is not None and last.group(0).replace("_", "").lower() == value.replace(
            "_", "").lower():
        return True
    parts = _regex(_WORD_PARTS).findall(value.rstrip("!"))
    if len(parts) >= 2 and all(_regex(r"[A-Z](?:[a-z]{2,12}|[A-Z]{1,4})$").match(p)
                               for p in parts):
        return True  # a type's name in PascalCase: JwtPayload, LoginInput!, HTTPClient
    if not _regex(r"[A-Za-z_$]+$").match(value):
        return False
    follows = after.lstrip(" \t")[:2]
    if "=" in before:  # a keyword argument: f(password=hashed), f(token=tok, …)
        return follows[:1] == ")" or follows in (", ", ",\n")
    return follows[:1] in (",", ";", ")", "}")


def _repeats_name(name: str, value: str) -> bool:
    """Whether a quoted ``value`` spells its ``name`` again, as an enum's or a constant's
    value does (``TokenIssuance = "token_issuance"``): a secret never is its own name."""
    if not _regex(r"[\w.-]+$").match(value):
        return False
    words = [p.lower() for p in _regex(_WORD_PARTS).findall(name)]
    return len(words) >= 2 and words == [p.lower() for p in _regex(_WORD_PARTS).findall(value)]


def _names_a_key(value: str, quoted: bool = False) -> bool:
    """Whether ``value`` is an identifier made of words, one of them a secret word: a field or
    key name (``access_token: token``, a Kubernetes secret ``postgres-credentials``), not a
    literal secret. Quoted, the secret word must come last (``TOKEN_KEY = 'access_token'``,
    ``'accessToken'``, ``'x-api-key'``), so ``'secret_sauce'`` is still a password."""
    if not _regex(r"[A-Za-z][A-Za-z_.-]*$").match(value):  # app.session.token too
        return False
    parts = [p.lower() for p in _regex(_WORD_PARTS).findall(value)]
    # A stand-in phrase (your-api-key-here, YOUR_API_KEY) is a placeholder: redact masks it.
    if "here" in parts or not _STAND_IN_SET.isdisjoint(parts):
        return False
    return parts[-1] in _SECRET_WORDS if quoted else not _SECRET_WORDS.isdisjoint(parts)


# Values that are well-known stand-ins: documentation and sample files use them, and
# services ship them as defaults (user and database names double as passwords).
_PLACEHOLDERS = frozenset({
    "changeme", "change-me", "change_me", "changeit", "replaceme", "replace-me", "replace_me",
    "placeholder", "dummy", "example", "sample", "secret", "password", "passwd", "pass",
    "test", "testing", "foo", "bar", "foobar", "todo", "tbd", "fixme", "none", "null",
    "postgres", "root", "admin", "administrator", "mysql", "mariadb", "user", "username",
    "guest", "default", "demo", "dev", "developer", "sa", "oracle", "redis", "mongo",
    "mongodb", "app", "db", "database", "minioadmin", "rabbitmq", "elastic", "changethis",
    "setme", "keyboardcat",  # express-session's documented secret, "keyboard cat"
})
# A default behind my, your or super stands in too: mypassword, yoursecret, supersecret.
_STAND_IN_PREFIXES = ("my", "your", "super")
_STAND_IN_WORDS = ("your", "my", "insert", "replace", "enter", "put", "add", "fake", "sample",
                   "example", "dummy", "test", "placeholder", "changeme", "change", "set",
                   "generate", "paste", "fill")
# Sample values that documentation everywhere shows: jwt.io's token (its signature), the
# test key of Stripe's API reference and the example JWT of RFC 7515 and RFC 7519.
_DOCUMENTED = ("SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c", "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
               "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
_STAND_IN_SET = frozenset(_STAND_IN_WORDS)
# Keys typed in a row from the start of the alphabet, the digits or the keyboard: a value
# that ends in them, or in them and a few digits (abcdefgh123), is a filler; one that goes on
# after them (12345678a9) is a password.
_RUNS = ("abcdefgh", "bcdefghi", "12345678", "23456789", "01234567", "qwertyui")
_ROWS = ("abcdefghijklmnopqrstuvwxyz", "01234567890", "qwertyuiop")
_NEXT_KEYS = frozenset(row[i:i + 2] for row in _ROWS for i in range(len(row) - 1))


def is_placeholder(text: str, kind: str, start: int, end: int) -> bool:
    """Whether the secret ``text[start:end]`` is a well-known placeholder, not a secret.

    A documented example (``AKIAIOSFODNN7EXAMPLE``, anything holding "example",
    jwt.io's token, RFC 7519's), a filler (``xxxxxxxx``, ``AKIAXXXXXXXXXXXXXXXX``, ``********``,
    an alphabet or digit run), a value cut short with ``...`` or ``…`` (``sk-...``,
    ``sk_test_...``, ``sk-...Xk9f``), a stand-in phrase (``your-api-key-here``,
    ``YOUR_API_KEY``, ``<your-token>``, ``replace-me``, ``change-this-in-production``),
    a common default, alone or with a few digits, or after my, your or super
    (``changeme``, ``postgres``, ``demo1234``, ``admin123``, ``mypassword``,
    ``supersecret``, express-session's ``keyboard cat``: the first guesses of any
    attack, so writing one discloses nothing), a value that says it is not a secret
    (``django-insecure-…``, ``…-not-for-production``, ending in ``xxx``), a private key
    block with a stand-in body, or a URL password equal to its user name
    (``postgres://postgres:postgres@db``).
    """
    value = text[start:end].strip("\"'")
    if kind == "private-key":
        if value.startswith("LS0t"):  # in base64
            value = _base64_text(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4)).decode(
                "latin-1")
        return _stand_in_key(value)
    low = value.lower()
    words = _regex(r"[^\W_]+").findall(low)  # `your-api-key-here` -> your, api, key, here
    if low in _PLACEHOLDERS or "".join(words) in _PLACEHOLDERS or "example" in low:
        return True
    if value.endswith(_DOCUMENTED) or _regex(r"(?:\.\.\.|\u2026)[\w-]{0,8}$").search(value):
        return True
    default = _regex(r"([a-z]+?)[0-9]{0,6}$").match(low)
    if default is not None and (default.group(1) in _PLACEHOLDERS or any(
            default.group(1)[len(p):] in _PLACEHOLDERS
            for p in _STAND_IN_PREFIXES if default.group(1).startswith(p))):
        return True
    if _regex(r"<[A-Za-z][A-Za-z _.-]*>$").match(value):  # <your-token>, not <S3cr3t>
        return True
    if any(c * 6 in low for c in set(low)) or _ends_in_a_run(low):
        return True
    if _regex(r"(.{1,4})\1{2,}$").match(low):  # asdfasdfasdf, abcabcabc, 123123123
        return True
    if len(words) >= 2 and (words[0] in _STAND_IN_WORDS or words[-1] == "here"):
        return True
    # A value that says what it is: `django-insecure-…`, `…-not-for-production`, `sk_test_xxx`.
    if "insecure" in words or ("not" in words and "production" in words) or low.endswith("xxx"):
        return True
    if kind == "url-password":
        user = text[max(0, start - 200):start].rpartition("://")[2].rpartition(":")[0]
        return user.rpartition("@")[2].lower() == low
    return False


def _ends_in_a_run(low: str) -> bool:
    """Whether ``low`` ends in one of ``_RUNS`` and the keys that follow it in its row, less at
    most four digits after them."""
    digits = len(low) - len(low.rstrip("0123456789"))
    for end in {len(low), len(low) - digits if digits <= 4 else len(low)}:
        start = end - 1
        while start > 0 and low[start - 1:start + 1] in _NEXT_KEYS:
            start -= 1
        if end - start >= 8 and any(run in low[start:end] for run in _RUNS):
            return True
    return False


def _stand_in_key(block: str) -> bool:
    """Whether a private key block has a stand-in for a body: nothing, ``...``, ``<key>``, or
    one character repeated. Only the body counts: a real key's base64 holds runs of ``A``."""
    after_header = block.split("-----", 2)[-1]
    joined = "".join(after_header.split("-----END", 1)[0].split())
    return (not joined or joined.endswith(("...", "\u2026")) or len(set(joined)) == 1
            or bool(_regex(r"<[^<>]*>$").match(joined)))


def _looks_random(value: str) -> bool:
    classes = (any(c.islower() for c in value) + any(c.isupper() for c in value)
               + any(c.isdigit() for c in value))
    return classes >= 2 and entropy(value) >= 3.5


def _merge(spans: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Keep the earliest, then longest, span where spans overlap."""
    result: list[tuple[str, int, int]] = []
    for kind, start, end in sorted(spans, key=lambda s: (s[1], -s[2])):
        if result and start < result[-1][2]:
            prev_kind, prev_start, prev_end = result[-1]
            result[-1] = (prev_kind, prev_start, max(prev_end, end))
            continue
        result.append((kind, start, end))
    return result
