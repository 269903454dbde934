"""Skills: the files they live in, saving a finished task, teaching one by showing."""
