"""The built-in platform plugins: Instagram, YouTube and TikTok."""
