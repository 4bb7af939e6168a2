import pytest


@pytest.fixture
def backup_dir(settings, tmp_path):
    """BACKUP_DIR and MEDIA_ROOT in a temporary folder, with two media files."""
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_KEEP = 7
    media = tmp_path / "media"
    (media / "original_images").mkdir(parents=True)
    (media / "original_images" / "shop.jpg").write_bytes(b"\xff\xd8\xff" + b"jpeg" * 100)
    (media / "documents").mkdir()
    (media / "documents" / "guide.pdf").write_bytes(b"%PDF-1.7 guide")
    settings.MEDIA_ROOT = media
    return settings.BACKUP_DIR


def admin_client_for(client, user):
    client.force_login(user)
    return client
