import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import Env


def test_unset_and_blank_variables_fall_back_to_the_default():
    env = Env({"BLANK": "  "})

    assert env.str("MISSING", "fallback") == "fallback"
    assert env.int("BLANK", 7) == 7


def test_required_variable_missing_names_it():
    with pytest.raises(ImproperlyConfigured, match=r"^SECRET_KEY: required"):
        Env({}).secret("SECRET_KEY")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda e: e.bool("FLAG", False), r"^FLAG: expected one of true/false"),
        (lambda e: e.int("COUNT", 1), r"^COUNT: expected an integer"),
        (lambda e: e.int("SMALL", 1, minimum=5), r"^SMALL: must be at least 5"),
        (lambda e: e.choice("KIND", ("a", "b"), "a"), r"^KIND: expected one of a, b"),
        (lambda e: e.url("DATABASE_URL", schemes=("postgres",)), r"^DATABASE_URL: URL scheme must be"),
        (lambda e: e.list("HOSTS", []), r"^HOSTS: empty item"),
    ],
)
def test_bad_values_fail_naming_the_variable(call, message):
    env = Env(
        {
            "FLAG": "maybe",
            "COUNT": "12x",
            "SMALL": "2",
            "KIND": "c",
            "DATABASE_URL": "mysql://h/db",
            "HOSTS": "a,,b",
        }
    )

    with pytest.raises(ImproperlyConfigured, match=message):
        call(env)


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("yes", True), ("OFF", False), ("false", False)])
def test_booleans(raw, expected):
    assert Env({"FLAG": raw}).bool("FLAG", not expected) is expected


def test_secret_is_read_from_a_file(tmp_path):
    secret_file = tmp_path / "key"
    secret_file.write_text("s3cret\n")

    assert Env({"API_KEY_FILE": str(secret_file)}).secret("API_KEY") == "s3cret"


def test_secret_file_that_cannot_be_read_names_the_variable(tmp_path):
    with pytest.raises(ImproperlyConfigured, match=r"^API_KEY_FILE: cannot read"):
        Env({"API_KEY_FILE": str(tmp_path / "absent")}).secret("API_KEY")


def test_lists_are_comma_separated():
    assert Env({"HOSTS": "a.example, b.example"}).list("HOSTS", []) == ["a.example", "b.example"]
