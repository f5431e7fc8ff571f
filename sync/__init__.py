"""The wire: protocol shared by both ends, and the kiosk's sync agent. No Kivy."""
