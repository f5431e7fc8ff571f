"""The central record service: receives batches, publishes content, reports. No Kivy."""
