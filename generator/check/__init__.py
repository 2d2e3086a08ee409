"""`check`: would these requirements install on musllinux without a compiler?"""
