"""Screen and input on Wayland through xdg-desktop-portal (README, "Wayland")."""
