from ircmd.cli import main

raise SystemExit(main())
