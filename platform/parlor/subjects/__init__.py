"""Personal data: export and erase everything stored about one visitor or user; retention."""
