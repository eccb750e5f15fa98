"""The secret patterns: which forms are caught, and which look-alikes are left alone."""

from __future__ import annotations

import pytest
from pact_runtime.redaction import find_secrets, redact

# (text, kind, the exact secret part that must disappear)
CAUGHT = [
    ("key AKIAIOSFODNN7EXAMPLE in env", "aws-access-key", "AKIAIOSFODNN7EXAMPLE"),
    ("ASIAY34FZKBOKMUTVV7A temporary", "aws-access-key", "ASIAY34FZKBOKMUTVV7A"),
    ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws-secret-key",
     "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    ("AWS_SECRET_ACCESS_KEY wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws-secret-key",
     "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    ("DefaultEndpointsProtocol=https;AccountName=shop;AccountKey=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5"
     "MGFiY2RlZmdoaWprbG1ub3A=;EndpointSuffix=core.windows.net", "azure-key",
     "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3A="),
    ("Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;"
     "SharedAccessKey=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWo=", "azure-key",
     "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWo="),
    ("https://shop.blob.core.windows.net/c/f.txt?sv=2022-11-02&sp=r&sig=ZNrnXk0Cg4vmHcfz7dEt"
     "RvWf9zsR%2BYOvqzLmrh5uHhk%3D", "azure-key",
     "ZNrnXk0Cg4vmHcfz7dEtRvWf9zsR%2BYOvqzLmrh5uHhk%3D"),
    ("token ghp_16C7e42F292c6912E7710c838347Ae178B4a used", "github-token",
     "ghp_16C7e42F292c6912E7710c838347Ae178B4a"),
    ("gho_16C7e42F292c6912E7710c838347Ae178B4a", "github-token",
     "gho_16C7e42F292c6912E7710c838347Ae178B4a"),
    ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ",
     "github-token",
     "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ"),
    ("CI uses glpat-xJ3k9LmN0pQrStUvWxYz now", "gitlab-token", "glpat-xJ3k9LmN0pQrStUvWxYz"),
    ("xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "slack-token",
     "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"),
    ("xoxp-2222222222-3333333333-abcdef123456", "slack-token",
     "xoxp-2222222222-3333333333-abcdef123456"),
    ("hook https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
     "slack-webhook",
     "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"),
    ("stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc", "stripe-key", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
    ("rk_test_51H8aBcDeFgHiJkLmNoPqRsT", "stripe-key", "rk_test_51H8aBcDeFgHiJkLmNoPqRsT"),
    ("whsec_test_abcdefABCDEF1234567890", "stripe-key", "whsec_test_abcdefABCDEF1234567890"),
    ("OPENAI_API_KEY is sk-proj-Ab3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF", "openai-key",
     "sk-proj-Ab3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF"),
    ("sk-4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d", "openai-key",
     "sk-4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d"),
    ("claude key sk-ant-api03-AbCdEf012345_GhIjKl-678901MnOpQr", "anthropic-key",
     "sk-ant-api03-AbCdEf012345_GhIjKl-678901MnOpQr"),
    ("maps AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q", "google-api-key",
     "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q"),
    ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
     "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "jwt",
     "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----",
     "private-key",
     "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA", "private-key",
     "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA"),
    ("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----", "private-key",
     "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----"),
    ("DATABASE_URL=postgres://app:S3cr3tPass@db.internal:5432/app", "url-password", "S3cr3tPass"),
    ("mysql://root:hunter2@localhost/db", "url-password", "hunter2"),
    ("redis://:p4ssw0rd@cache:6379/0", "url-password", "p4ssw0rd"),
    ("https://user:p@ssw0rd@host.com/path", "url-password", "p@ssw0rd"),
    ("password=hunter22", "assignment", "hunter22"),
    ("DB_PASSWORD: 'correct horse'", "assignment", "correct horse"),
    ("secret: tr0ub4dor&3", "assignment", "tr0ub4dor&3"),
    ("token = abcdef123456", "assignment", "abcdef123456"),
    ('"client_secret": "9f8e7d6c5b4a"', "assignment", "9f8e7d6c5b4a"),
    ("export GITHUB_TOKEN=letmein2024", "assignment", "letmein2024"),
    ("api_key=ZXhhbXBsZWtleQ", "assignment", "ZXhhbXBsZWtleQ"),
    ("passwd := s3cr3t!", "assignment", "s3cr3t!"),
    ("Authorization: Bearer 8f14e45fceea167a5a36dedd4bea2543abcDEF", "bearer-token",
     "8f14e45fceea167a5a36dedd4bea2543abcDEF"),
    ("curl -H 'Authorization: Basic dXNlcjpwYXNzd29yZA=='", "basic-auth", "dXNlcjpwYXNzd29yZA=="),
    # Short password names.
    ("DB_PASS=Tr0ub4dor&3", "assignment", "Tr0ub4dor&3"),
    ("pass=Tr0ub4dor3x", "assignment", "Tr0ub4dor3x"),
    ("PGPASS=Pg5ecretValue", "assignment", "Pg5ecretValue"),
    ("export MYSQL_PWD=My5qlS3cret", "assignment", "My5qlS3cret"),
    ("pwd=Hunter2Pw!", "assignment", "Hunter2Pw!"),
    ("smtp_pass: 'Mai1Pass!'", "assignment", "Mai1Pass!"),
    # Values that start like a reference but are not one.
    ("password: $ecretP4ss", "assignment", "$ecretP4ss"),
    ("password: *Secr3t!", "assignment", "*Secr3t!"),
    ("password=<S3cr3t>", "assignment", "<S3cr3t>"),
    ("secret: %Tr0ub4dor", "assignment", "%Tr0ub4dor"),
    ("password: [S3cret9", "assignment", "[S3cret9"),
    ("password: {S3cr3t", "assignment", "{S3cr3t"),
    # A "/" inside the password of a URL.
    ("postgres://admin:S3cr3t/P4ss@h/db", "url-password", "S3cr3t/P4ss"),
    # Passwords on a command line.
    ("mysql -u root -pS3cretPass shop", "cli-password", "S3cretPass"),
    ("mysqldump -p'Dump5ecret' shop", "cli-password", "Dump5ecret"),
    ("curl -u admin:S3cretP4ss https://api.example.com", "cli-password", "S3cretP4ss"),
    ("curl --user admin:S3cretP4ss https://api.example.com", "cli-password", "S3cretP4ss"),
    ("sshpass -p S3cretSsh ssh deploy@host", "cli-password", "S3cretSsh"),
    ("vault login --password S3cretCli1", "cli-password", "S3cretCli1"),
    ("vault login --password=S3cretCli2", "assignment", "S3cretCli2"),
    # Token types.
    ("npm_a1B2c3D4e5a1B2c3D4e5a1B2c3D4e5a1B2c3", "npm-token",
     "npm_a1B2c3D4e5a1B2c3D4e5a1B2c3D4e5a1B2c3"),
    ("HF hf_abcdefghijABCDEFGHIJabcdefghijABCDE", "huggingface-token",
     "hf_abcdefghijABCDEFGHIJabcdefghijABCDE"),
    ("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", "sendgrid-key",
     "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"),
    ("pypi-AgEIcHlwaS5vcmcCJGE0ZjJkY2U3LTg5NjQtNDBlZi1hNWQzLTM0ODhiY2YxZDdhNQ", "pypi-token",
     "pypi-AgEIcHlwaS5vcmcCJGE0ZjJkY2U3LTg5NjQtNDBlZi1hNWQzLTM0ODhiY2YxZDdhNQ"),
    ("twilio SK0123456789abcdef0123456789abcdef", "twilio-key",
     "SK0123456789abcdef0123456789abcdef"),
    ("dop_v1_" + "0123456789abcdef" * 4, "digitalocean-token", "dop_v1_" + "0123456789abcdef" * 4),
    ("shpat_0123456789abcdef0123456789abcdef", "shopify-token",
     "shpat_0123456789abcdef0123456789abcdef"),
    # Disguised forms.
    ("-----BEGIN  RSA PRIVATE KEY-----\nMIIEow\n-----END  RSA PRIVATE KEY-----", "private-key",
     "-----BEGIN  RSA PRIVATE KEY-----\nMIIEow\n-----END  RSA PRIVATE KEY-----"),
    ('password =\n    "Spl1tAcross"', "assignment", "Spl1tAcross"),
    ("pass\u200bword=Hidd3nPass", "assignment", "Hidd3nPass"),
    ("\ufeffapi\u200d_key=Zw1dth\u2060Key", "assignment", "Zw1dth\u2060Key"),
]

LEFT_ALONE = [
    "The password reset flow sends an email with a one-time link.",
    "We store the token hash, never the token itself.",
    "password: ${DB_PASSWORD}",
    "token = os.environ['API_TOKEN']",
    "secret: <your secret here>",
    "max_tokens = 4096",
    "token: string",
    "password: str",
    "password_hash: bcrypt",
    "secret_name: prod-db-credentials",
    "token_count: 12",
    "commit 4b825dc642cb6eb9a060e54bf8d69288fbee4904 fixed it",
    "id 123e4567-e89b-12d3-a456-426614174000",
    "https://user@example.com/repo.git",
    "postgres://localhost:5432/app",
    "http://example.com:8080/path",
    "sk-learn is a Python library",
    "pk_live_51H8aBcDeFgHiJkLmNoPqRsT is the publishable key",
    "AKIA is the prefix of AWS access key ids",
    "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----",
    "-----BEGIN PUBLIC KEY-----\nMIIBIjANBg\n-----END PUBLIC KEY-----",
    "Bearer tokens expire after an hour",
    "Authorization: Bearer <token>",
    "sha512-Wq0Xf3ZqWnL8n0Yq9z7Q== is an npm integrity hash",
    "the secret to fast queries is an index",
    "Use ghp_ tokens only in CI",
    "xoxo, the team",
    "eyJ alone is just base64 for {\"",
    "token = None",
    "password: true",
    "api_key_url: https://example.com/keys",
    "author: Jane Doe",
    "credentials are read by the vault agent",
    # Look-alikes of the short names and of the command-line forms.
    "password_hash = bcrypt(password)",
    "PASSWORD_FILE=/run/secrets/db",
    "pass = None",
    "passes = 3",
    'password = os.environ["DB_PASSWORD"]',
    "compass=north",
    "bypass=true",
    "passport = scan(document)",
    "PWD=/home/x",
    "OLDPWD=../build",
    "password: $DB_PASSWORD",
    "password=$(cat /run/secrets/db)",
    "password: '{{ secrets.DB_PASSWORD }}'",
    "password = '%s'",
    "dsn = 'password=%(pw)s'",
    "password: '****'",
    "def connect(*args, password=None):",
    'print(f"password={password!r}")',
    "SINGLE_TOKENS = {**tokens.Tokenizer.SINGLE_TOKENS}",
    "DISTINCT_TOKENS = {TokenType.DISTINCT, TokenType.ALL}",
    "$password = $_POST['password'];",
    "last_pass = DEFAULT_LAST_PASS",
    "DEFAULT_LAST_PASS: Final = 2",
    "def _groups(tokens: list[str]) -> list[list[str]]:",
    "token = tokens[0]",
    "statements_pass: list[ast.stmt] = []",
    "# First pass: collect the names",
    "Pass :meth:`peek` a default",
    "docker run -u 1000:1000 image",
    "git push -u origin main",
    "echo $TOKEN | docker login --password-stdin",
    'mysql -p"$MYSQL_PWD" shop',
    "mysql -p shop",
    "curl -u $API_USER:$API_TOKEN https://api.example.com",
    "The --username and --password options can be given",
    "http://example.com:8080/path@v2",
    "PASSWORD=\necho done",
    "-----BEGIN  CERTIFICATE-----\nMIIC\n-----END  CERTIFICATE-----",
    "ask the task owner about the disk risk",
    "hf_hub_download(repo_id)",
    "npm_config_registry=https://registry.npmjs.org",
    "AccountKey=<storage key> goes in the connection string",
    "the aws secret manager holds the key",
    "?sig=abc&sv=1",
]


@pytest.mark.parametrize(("text", "kind", "secret"), CAUGHT, ids=[c[1] + str(i) for i, c in
                                                                  enumerate(CAUGHT)])
def test_secret_is_found_and_masked(text, kind, secret):
    spans = find_secrets(text)

    assert [(k, text[s:e]) for k, s, e in spans] == [(kind, secret)]
    masked = redact(text)
    assert secret not in masked
    assert f"[REDACTED:{kind}]" in masked


@pytest.mark.parametrize("text", LEFT_ALONE)
def test_innocuous_text_is_left_alone(text):
    assert find_secrets(text) == []
    assert redact(text) == text


def test_corpus_has_at_least_forty_cases():
    assert len(CAUGHT) + len(LEFT_ALONE) >= 40
    assert len(CAUGHT) >= 20 and len(LEFT_ALONE) >= 20


def test_invisible_characters_map_back_onto_the_original_text():
    text = "x pass\u200bword=Hidd3n\u200bPass y"

    assert redact(text) == "x pass\u200bword=[REDACTED:assignment] y"


def test_several_secrets_in_one_text_are_all_masked_in_place():
    text = "AKIAIOSFODNN7EXAMPLE then password=hunter22 then end"

    assert redact(text) == ("[REDACTED:aws-access-key] then password=[REDACTED:assignment] "
                            "then end")


def test_redaction_is_stable_when_applied_twice():
    once = redact("token = abcdef123456 and sk_live_4eC39HqLyjWDarjtT1zdp7dc")

    assert redact(once) == once


def test_empty_text_has_no_secrets():
    assert find_secrets("") == []
    assert redact("") == ""


def test_plain_text_compiles_no_pattern():
    from pact_runtime import redaction

    redaction._CACHE.clear()

    assert find_secrets("The orders report is slow after the nightly backfill.") == []
    assert redaction._CACHE == {}


def test_a_real_password_that_looks_like_a_placeholder_is_still_masked():
    assert redact("password=changeme") == "password=[REDACTED:assignment]"


@pytest.mark.parametrize("text", [
    "Rotate the API tokens monthly; the key vault holds them.",
    "Passwords are hashed with argon2: never log them.",
    "Bearer tokens expire after an hour.",
])
def test_prose_about_secrets_compiles_no_pattern(text):
    from pact_runtime import redaction

    redaction._CACHE.clear()

    assert find_secrets(text) == []
    assert redaction._CACHE == {}
